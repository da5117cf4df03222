import { createQueue, QUEUES } from '@mna/shared';
import { createRedis } from '@mna/shared/kit';
import { TEST_REDIS_URL } from '@mna/testing';
import { describe, expect, it } from 'vitest';
import { startIntakeSweeper } from '../src/modules/webhooks/webhooks.intake.js';
import { createWebhooksRepo } from '../src/modules/webhooks/webhooks.repo.js';
import { type Harness, waitFor } from './harness.js';
import {
  intakeService,
  RETRY,
  silent,
  startRelay,
  storedEvent,
  storedIds,
  useIntakeHarness,
} from './intake-fixtures.js';

describe('Stripe intake sweeper', () => {
  let h: Harness;
  useIntakeHarness((harness) => {
    h = harness;
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
      const service = intakeService(h, createWebhooksRepo(h.db), queue);
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
      expect(await storedIds(h)).toEqual([d.event.id]);
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
    await repo.insertMany([storedEvent('fresh'), storedEvent('done')]);
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
});
