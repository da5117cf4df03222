import { BadRequestError, NotConfiguredError, ServiceUnavailableError } from '@mna/shared';
import Stripe from 'stripe';
import {
  createIntakeBatcher,
  type EventsQueue,
  eventJob,
  type IntakeBatching,
  type RetryPolicy,
} from './webhooks.intake.js';
import type { WebhooksRepo } from './webhooks.repo.js';

export type { EventsQueue, IntakeBatching, RetryPolicy };

/** The Stripe customer an event concerns, when it has one (for per-customer ordering). */
export function customerOf(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; id?: string; customer?: unknown };
  if (object.object === 'customer') return object.id ?? null;
  const c = object.customer;
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object' && 'id' in c) return String((c as { id: string }).id);
  return null;
}

export type WebhooksServiceDeps = {
  repo: WebhooksRepo;
  queue: EventsQueue;
  webhookSecret: string | undefined;
  toleranceSeconds: number;
  retry: RetryPolicy;
  batching?: Partial<IntakeBatching>;
};

/**
 * Webhook intake: verify the signature on the raw bytes, store the event by id, enqueue one job keyed
 * by the event id. No business logic runs in the request; the worker applies the event.
 */
export function createWebhooksService(deps: WebhooksServiceDeps) {
  const { repo, queue } = deps;
  const batcher = createIntakeBatcher({ repo, queue, retry: deps.retry, batching: deps.batching });
  const enqueue = (id: string, customerId: string | null, jobId = id) => {
    const job = eventJob({ id, customerId }, deps.retry, jobId);
    return queue.add(job.name, job.data, job.opts);
  };

  return {
    async receive(rawBody: Buffer, signature: string | undefined) {
      if (!deps.webhookSecret) {
        throw new NotConfiguredError('Stripe webhooks are not configured: STRIPE_WEBHOOK_SECRET is not set.');
      }
      if (!signature) throw new BadRequestError('The Stripe-Signature header is missing.');
      // Decoded once: the SDK would decode the bytes twice (HMAC input, JSON.parse) and the store a third time.
      const payload = rawBody.toString('utf8');
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(payload, signature, deps.webhookSecret, deps.toleranceSeconds);
      } catch {
        throw new BadRequestError('The Stripe-Signature header does not verify against the body.');
      }
      const customerId = customerOf(event);
      try {
        const inserted = await batcher.submit({
          id: event.id,
          type: event.type,
          customerId,
          created: new Date(event.created * 1000),
          payload,
        });
        // A duplicate whose first enqueue failed is enqueued again; the job id makes that a no-op otherwise.
        if (!inserted && (await repo.statusOf(event.id)) === 'received') await enqueue(event.id, customerId);
        return { received: true as const, duplicate: !inserted };
      } catch (error) {
        // Not acknowledged: Stripe delivers the event again later, and the store dedupes it.
        throw Object.assign(
          new ServiceUnavailableError('The event could not be stored or queued; Stripe will retry it.', 5),
          { cause: error },
        );
      }
    },

    /** Events awaiting processing and dead letters (metrics). */
    backlog: () => repo.backlog(),

    listDeadLetters: async (limit: number) =>
      (await repo.listDead(limit)).map((e) => ({
        id: e.id,
        type: e.type,
        customerId: e.customer_id,
        attempts: e.attempts,
        lastError: e.last_error,
        receivedAt: e.received_at.toISOString(),
      })),

    /** Re-queues dead-lettered events; each replay is a fresh job with a full set of attempts. */
    async replay(filter: { ids?: string[]; from?: Date; to?: Date }): Promise<string[]> {
      const ids = await repo.revive(filter);
      const stamp = Date.now();
      for (const id of ids) {
        const row = await repo.get(id);
        await enqueue(id, row?.customer_id ?? null, `${id}.replay.${stamp}`);
      }
      return ids;
    },

    /** Enqueues events stored but never processed under fresh job ids (`pnpm billing:reconcile`). */
    async requeueStale(olderThan: Date): Promise<number> {
      const stale = await repo.listStale(olderThan);
      // A fresh job id: the original job may sit in the failed set, where its id blocks a re-add.
      const stamp = Date.now();
      for (const e of stale) await enqueue(e.id, e.customer_id, `${e.id}.requeue.${stamp}`);
      return stale.length;
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
