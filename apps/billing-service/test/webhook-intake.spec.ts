import net from 'node:net';
import { createLogger, createQueue, QUEUES } from '@mna/shared';
import { createRedis } from '@mna/shared/kit';
import { TEST_REDIS_URL } from '@mna/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createIntakeBatcher,
  type EventsQueue,
  type IntakeBatching,
  startIntakeSweeper,
} from '../src/modules/webhooks/webhooks.intake.js';
import { createWebhooksRepo, type StoredEvent } from '../src/modules/webhooks/webhooks.repo.js';
import { createWebhooksService } from '../src/modules/webhooks/webhooks.service.js';
import { type Harness, startHarness, waitFor } from './harness.js';

const RETRY = { attempts: 3, backoffMs: 50 };
const silent = createLogger({ service: 'billing-test', level: 'silent' });

/** A TCP relay to `target`; `cut` closes it and every connection through it (the target looks down). */
async function startRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const storedEvents = (h: Harness) => h.owner.selectFrom('billing.stripe_events').selectAll().execute();

describe('POST /webhooks/stripe (intake only, no worker)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.owner.deleteFrom('billing.stripe_events').execute();
    await h.eventsQueue.obliterate({ force: true });
  });

  /** The intake service over a given repo (to count or break its statements). */
  const serviceWith = (repo: ReturnType<typeof createWebhooksRepo>) =>
    createWebhooksService({
      repo,
      queue: h.eventsQueue,
      webhookSecret: h.fake!.webhookSecret,
      toleranceSeconds: 300,
      retry: RETRY,
    });

  const sample = () => {
    const customer = h.fake!.customer('org_intake');
    return h.fake!.delivery('customer.subscription.updated', {
      id: 'sub_x',
      object: 'subscription',
      customer: customer.id,
    });
  };

  it('stores a verified event and enqueues one job keyed by its id', async () => {
    const d = sample();
    const res = await h.deliver(d);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    const rows = await storedEvents(h);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: d.event.id,
      type: 'customer.subscription.updated',
      status: 'received',
    });
    const job = await h.eventsQueue.getJob(d.event.id);
    expect(job?.data).toEqual({ eventId: d.event.id, customerId: rows[0]!.customer_id });
  });

  it.each([
    [
      'a bad signature',
      (d: ReturnType<typeof sample>) => ({
        ...d,
        headers: { ...d.headers, 'stripe-signature': 't=1,v1=deadbeef' },
      }),
    ],
    [
      'a stale timestamp',
      () =>
        h.fake!.delivery(
          'invoice.paid',
          { id: 'in_1', object: 'invoice', customer: 'cus_1' },
          { timestamp: Math.floor(Date.now() / 1000) - 301 },
        ),
    ],
    [
      'the wrong secret',
      () =>
        h.fake!.delivery(
          'invoice.paid',
          { id: 'in_1', object: 'invoice', customer: 'cus_1' },
          { secret: 'whsec_other' },
        ),
    ],
    [
      'a tampered body',
      (d: ReturnType<typeof sample>) => ({
        ...d,
        payload: d.payload.replace('subscription.updated', 'subscription.deleted'),
      }),
    ],
    [
      'no signature',
      (d: ReturnType<typeof sample>) => ({ ...d, headers: { 'content-type': 'application/json' } }),
    ],
  ])('refuses %s with 400 and stores nothing', async (_name, mutate) => {
    const res = await h.deliver(mutate(sample()));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await storedEvents(h)).toHaveLength(0);
    expect(await h.eventsQueue.count()).toBe(0);
  });

  it('keeps the raw bytes: a body re-serialised by a JSON parser would not verify', async () => {
    const d = sample();
    const spaced = JSON.stringify(JSON.parse(d.payload), null, 2);
    const signed = h.fake!.delivery('customer.created', { id: 'cus_z', object: 'customer' });
    // Same event, pretty-printed after signing: the signature is over the exact bytes, so it must fail.
    expect((await h.deliver({ payload: spaced, headers: d.headers })).statusCode).toBe(400);
    expect((await h.deliver(signed)).statusCode).toBe(200);
  });

  it('the same event delivered 10 times concurrently gives one row and one job', async () => {
    const d = sample();
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.deliver(d)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => a.json().duplicate === false)).toHaveLength(1);
    expect(await storedEvents(h)).toHaveLength(1);
    expect(await h.eventsQueue.count()).toBe(1);
  });

  it('stores and acknowledges unknown event types', async () => {
    const d = h.fake!.delivery('radar.early_fraud_warning.created', {
      id: 'issfr_1',
      object: 'radar.early_fraud_warning',
    });
    expect((await h.deliver(d)).statusCode).toBe(200);
    expect((await storedEvents(h))[0]).toMatchObject({ id: d.event.id, customer_id: null });
  });

  it('group-commits concurrent deliveries: every event stored and enqueued, in fewer statements', async () => {
    const repo = createWebhooksRepo(h.db);
    let statements = 0;
    const counting = {
      ...repo,
      insertMany: (events: Parameters<typeof repo.insertMany>[0]) => {
        statements += 1;
        return repo.insertMany(events);
      },
    };
    const service = serviceWith(counting);
    const customer = h.fake!.customer('org_batch');
    const deliveries = Array.from({ length: 100 }, (_, i) =>
      h.fake!.delivery('customer.updated', { id: customer.id, object: 'customer', n: i }),
    );
    const answers = await Promise.all(
      deliveries.map((d) => service.receive(Buffer.from(d.payload), d.headers['stripe-signature'])),
    );
    expect(answers.every((a) => a.duplicate === false)).toBe(true);
    expect(await storedEvents(h)).toHaveLength(100);
    expect(await h.eventsQueue.count()).toBe(100);
    expect(statements).toBeLessThan(100);
  });

  it('answers 503 (not acknowledged) when the event cannot be stored, so Stripe retries', async () => {
    const repo = createWebhooksRepo(h.db);
    const broken = { ...repo, insertMany: () => Promise.reject(new Error('connection refused')) };
    const service = serviceWith(broken);
    const d = sample();
    await expect(
      service.receive(Buffer.from(d.payload), d.headers['stripe-signature']),
    ).rejects.toMatchObject({ status: 503 });
    expect(await storedEvents(h)).toHaveLength(0);
    expect((await h.deliver(d)).statusCode).toBe(200);
  });

  it('exports the webhook queue and its dependencies on /metrics', async () => {
    await h.deliver(sample());
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /bullmq_queue_jobs\{[^}]*queue="billing-stripe-events"[^}]*state="waiting"[^}]*\} 1/,
    );
    expect(metrics.body).toMatch(/mna_dependency_up\{[^}]*dependency="postgres"[^}]*\} 1/);
  });

  // Group commit and the sweeper.
  const storedIds = async () =>
    (await h.owner.selectFrom('billing.stripe_events').select('id').orderBy('id').execute()).map((r) => r.id);
  const event = (id: string): StoredEvent => ({
    id,
    type: 'customer.updated',
    customerId: 'cus_batch',
    created: new Date(),
    payload: JSON.stringify({ id, object: 'event', type: 'customer.updated' }),
  });

  /** A batcher over the real repo that records each insert's ids and the inserts in flight. */
  function recordingBatcher(batching: Partial<IntakeBatching>, queue: EventsQueue = h.eventsQueue) {
    const repo = createWebhooksRepo(h.db);
    const inserts: string[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const recording = {
      ...repo,
      async insertMany(events: StoredEvent[]) {
        inserts.push(events.map((e) => e.id));
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await repo.insertMany(events);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const batcher = createIntakeBatcher({ repo: recording, queue, retry: RETRY, batching });
    return { batcher, inserts, maxInFlight: () => maxInFlight };
  }

  it('writes a batch as soon as it is full, without waiting for the time limit', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 5, maxWaitMs: 10_000, concurrency: 1 });
    const started = Date.now();
    const answers = await Promise.all(['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => batcher.submit(event(id))));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers).toEqual([true, true, true, true, true]);
    expect(inserts).toEqual([['e1', 'e2', 'e3', 'e4', 'e5']]);
    expect(await storedIds()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(await h.eventsQueue.count()).toBe(5);
  });

  it('writes a partial batch once its oldest event has waited the time limit', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 100, maxWaitMs: 40, concurrency: 1 });
    const started = Date.now();
    const first = batcher.submit(event('t1'));
    await new Promise((r) => setTimeout(r, 10));
    const rest = [batcher.submit(event('t2')), batcher.submit(event('t3'))];
    await Promise.all([first, ...rest]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(38);
    expect(waited).toBeLessThan(1_000);
    expect(inserts).toEqual([['t1', 't2', 't3']]);
    expect(await h.eventsQueue.count()).toBe(3);
  });

  it('without a time limit, a lone event is written at once', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 100, maxWaitMs: 0, concurrency: 2 });
    await batcher.submit(event('solo'));
    expect(inserts).toEqual([['solo']]);
  });

  it('keeps at most `concurrency` batches in flight and every event lands', async () => {
    const { batcher, inserts, maxInFlight } = recordingBatcher({ maxBatch: 4, maxWaitMs: 0, concurrency: 2 });
    const ids = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(ids.map((id) => batcher.submit(event(id))));
    expect(answers.every(Boolean)).toBe(true);
    expect(maxInFlight()).toBe(2);
    expect(inserts.every((batch) => batch.length <= 4)).toBe(true);
    expect(inserts.flat().sort()).toEqual(ids);
    expect(await storedIds()).toEqual(ids);
    expect(await h.eventsQueue.count()).toBe(60);
  });

  it('a burst of one id across concurrent batches stores one row, one job, one "new" answer', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 3, maxWaitMs: 0, concurrency: 4 });
    const submissions = Array.from({ length: 40 }, (_, i) => event(i % 8 === 0 ? `other${i}` : 'evt_dup'));
    const answers = await Promise.all(submissions.map((e) => batcher.submit(e)));
    const dupAnswers = answers.filter((_, i) => submissions[i]!.id === 'evt_dup');
    expect(dupAnswers.filter((fresh) => fresh)).toHaveLength(1);
    expect(inserts.length).toBeGreaterThan(1);
    expect(await storedIds()).toEqual(['evt_dup', 'other0', 'other16', 'other24', 'other32', 'other8']);
    expect(await h.eventsQueue.count()).toBe(6);
    expect(await h.eventsQueue.getJob('evt_dup')).toBeDefined();
  });

  it('concurrent batches holding the same ids in opposite orders never deadlock', async () => {
    const { batcher } = recordingBatcher({ maxBatch: 6, maxWaitMs: 0, concurrency: 4 });
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let round = 0; round < 5; round += 1) {
      const prefixed = ids.map((id) => `r${round}_${id}`);
      const orders = [prefixed, [...prefixed].reverse(), [...prefixed.slice(3), ...prefixed.slice(0, 3)]];
      const answers = await Promise.all(
        orders.flatMap((order) => order.map((id) => batcher.submit(event(id)))),
      );
      expect(answers.filter(Boolean)).toHaveLength(6);
    }
    expect(await storedIds()).toHaveLength(30);
  });

  it('Redis down: the stored event is answered 503, then the sweeper enqueues it under its own id', async () => {
    // The service's Redis goes through a TCP relay we can cut: a real outage after start-up.
    const relay = await startRelay(new URL(TEST_REDIS_URL));
    const redis = createRedis(`redis://127.0.0.1:${relay.port}`);
    redis.on('error', () => {});
    const queue = createQueue(QUEUES.billingStripeEvents, { connection: redis, prefix: h.prefix });
    queue.on('error', () => {});
    try {
      await queue.waitUntilReady();
      const service = createWebhooksService({
        repo: createWebhooksRepo(h.db),
        queue,
        webhookSecret: h.fake!.webhookSecret,
        toleranceSeconds: 300,
        retry: RETRY,
      });
      const d = h.fake!.delivery('customer.subscription.updated', {
        id: 'sub_swept',
        object: 'subscription',
        customer: 'cus_swept',
      });
      await relay.cut();
      await expect(
        service.receive(Buffer.from(d.payload), d.headers['stripe-signature']),
      ).rejects.toMatchObject({ status: 503 });
      // Stored (durably) but not enqueued: without a redelivery only the sweeper brings it to the worker.
      expect(await storedIds()).toEqual([d.event.id]);
      expect(await h.eventsQueue.getJob(d.event.id)).toBeUndefined();

      const sweeper = startIntakeSweeper({
        repo: createWebhooksRepo(h.db),
        queue: h.eventsQueue,
        retry: RETRY,
        everyMs: 100,
        logger: silent,
      });
      try {
        const job = await waitFor(() => h.eventsQueue.getJob(d.event.id), 5_000);
        expect(job.data).toEqual({ eventId: d.event.id, customerId: 'cus_swept' });
        // Later sweeps find the job there: still one job.
        await sweeper.sweep();
        expect(await h.eventsQueue.count()).toBe(1);
      } finally {
        await sweeper.close();
      }
    } finally {
      redis.disconnect();
      await relay.cut();
    }
  });

  it('the sweeper leaves events younger than its period and processed ones alone', async () => {
    const repo = createWebhooksRepo(h.db);
    await repo.insertMany([event('fresh'), event('done')]);
    await repo.markProcessed('done', 1);
    await h.owner
      .updateTable('billing.stripe_events')
      .set({ received_at: new Date(Date.now() - 600_000) })
      .where('id', '=', 'done')
      .execute();
    const sweeper = startIntakeSweeper({
      repo,
      queue: h.eventsQueue,
      retry: RETRY,
      everyMs: 60_000,
      logger: silent,
    });
    await sweeper.sweep();
    await sweeper.close();
    expect(await h.eventsQueue.count()).toBe(0);
  });

  it('counts deliveries by outcome and exports the event store backlog on /metrics', async () => {
    const scrape = async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (body: string, outcome: string) =>
      Number(
        body.match(
          new RegExp(`billing_stripe_webhook_deliveries_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`),
        )?.[1] ?? 0,
      );
    const before = await scrape();
    const d = h.fake!.delivery('invoice.paid', { id: 'in_m', object: 'invoice', customer: 'cus_m' });
    await h.deliver(d);
    await h.deliver(d);
    await h.deliver({ ...d, headers: { ...d.headers, 'stripe-signature': 't=1,v1=bad' } });
    await h.owner
      .updateTable('billing.stripe_events')
      .set({ received_at: new Date(Date.now() - 90_000) })
      .execute();
    const body = await scrape();
    const value = (pattern: RegExp) => Number(body.match(pattern)?.[1]);
    for (const outcome of ['accepted', 'duplicate', 'rejected']) {
      expect(count(body, outcome) - count(before, outcome)).toBe(1);
    }
    expect(value(/billing_stripe_events\{[^}]*status="received"[^}]*\} (\d+)/)).toBe(1);
    expect(value(/billing_stripe_events\{[^}]*status="dead"[^}]*\} (\d+)/)).toBe(0);
    const age = value(/billing_stripe_events_oldest_received_age_seconds\{[^}]*\} ([\d.]+)/);
    expect(age).toBeGreaterThanOrEqual(89);
    expect(age).toBeLessThan(200);
  });
});
