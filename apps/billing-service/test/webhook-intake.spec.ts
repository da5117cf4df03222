import { describe, expect, it } from 'vitest';
import { createWebhooksRepo } from '../src/modules/webhooks/webhooks.repo.js';
import type { Harness } from './harness.js';
import { intakeService, storedEvents, useIntakeHarness } from './intake-fixtures.js';

// The request path of POST /webhooks/stripe; group commit in webhook-intake-batching.spec.ts, the
// sweeper in webhook-intake-sweeper.spec.ts.
describe('POST /webhooks/stripe (intake only, no worker)', () => {
  let h: Harness;
  useIntakeHarness((harness) => {
    h = harness;
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
    const service = intakeService(h, counting);
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
    const service = intakeService(h, broken);
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
