import { jobPayload, QUEUES, type TypedQueue } from '@mna/shared';
import type { StoredEvent, WebhooksRepo } from './webhooks.repo.js';

export type EventsQueue = TypedQueue<typeof QUEUES.billingStripeEvents>;
export type RetryPolicy = { attempts: number; backoffMs: number };

/** Job options of a Stripe event: exponential backoff with jitter, failures kept for inspection. */
export const eventJobOptions = (jobId: string, policy: RetryPolicy) => ({
  jobId,
  attempts: policy.attempts,
  backoff: { type: 'exponential' as const, delay: policy.backoffMs, jitter: 0.5 },
  removeOnComplete: { age: 86_400, count: 10_000 },
  removeOnFail: { age: 7 * 86_400 },
});

type Waiter = { event: StoredEvent; resolve: (inserted: boolean) => void; reject: (error: unknown) => void };

/**
 * Group commit for webhook intake. While one batch is being stored and enqueued, arriving events
 * wait for the next; each batch is one multi-row insert (one commit) and one BullMQ addBulk. A caller
 * is answered only after its event is stored and its job enqueued; with no concurrency, a batch is one
 * event and nothing waits.
 */
export function createIntakeBatcher(deps: {
  repo: WebhooksRepo;
  queue: EventsQueue;
  retry: RetryPolicy;
  maxBatch?: number;
}) {
  const maxBatch = deps.maxBatch ?? 200;
  let waiting: Waiter[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    if (flushing || waiting.length === 0) return;
    flushing = true;
    const batch = waiting.slice(0, maxBatch);
    waiting = waiting.slice(maxBatch);
    try {
      const unique = [...new Map(batch.map((w) => [w.event.id, w.event])).values()];
      const inserted = await deps.repo.insertMany(unique);
      const fresh = unique.filter((e) => inserted.has(e.id));
      if (fresh.length > 0) {
        await deps.queue.addBulk(
          fresh.map((e) => ({
            name: 'stripe-event',
            data: jobPayload(QUEUES.billingStripeEvents, { eventId: e.id, customerId: e.customerId }),
            opts: eventJobOptions(e.id, deps.retry),
          })),
        );
      }
      const answered = new Set<string>();
      for (const w of batch) {
        // Within one batch only the first delivery of an id counts as new.
        w.resolve(inserted.has(w.event.id) && !answered.has(w.event.id));
        answered.add(w.event.id);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      flushing = false;
      void flush();
    }
  }

  return {
    /** Stores and enqueues one event; true when it is new, false for a duplicate delivery. */
    submit(event: StoredEvent): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        void flush();
      });
    },
  };
}
