import { jobPayload, QUEUES, type TypedQueue } from '@mna/shared';
import type { Logger } from 'pino';
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

/** The BullMQ job of a stored event; `jobId` defaults to the event id (a re-add is then a no-op). */
export const eventJob = (
  event: { id: string; customerId: string | null },
  policy: RetryPolicy,
  jobId = event.id,
) => ({
  name: 'stripe-event',
  data: jobPayload(QUEUES.billingStripeEvents, { eventId: event.id, customerId: event.customerId }),
  opts: eventJobOptions(jobId, policy),
});

export type IntakeBatching = {
  /** Events per insert and per addBulk. */
  maxBatch: number;
  /** Longest an event waits for companions before its batch is written (0: write as soon as a slot is free). */
  maxWaitMs: number;
  /** Batches being written at the same time (each holds one database connection). */
  concurrency: number;
};

export const DEFAULT_INTAKE_BATCHING: IntakeBatching = { maxBatch: 200, maxWaitMs: 0, concurrency: 2 };

type Waiter = {
  event: StoredEvent;
  since: number;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
};

/**
 * Group commit for webhook intake. Arriving events queue up; a batch is written when it is full, when
 * its oldest event has waited `maxWaitMs`, and only while fewer than `concurrency` batches are being
 * written. Each batch is one multi-row insert (one commit, ids in sorted order so concurrent batches
 * never deadlock) and one BullMQ addBulk. A caller is answered only after its event is stored and its
 * job enqueued; a failure of either rejects every caller of the batch.
 */
export function createIntakeBatcher(deps: {
  repo: WebhooksRepo;
  queue: EventsQueue;
  retry: RetryPolicy;
  batching?: Partial<IntakeBatching>;
}) {
  const { maxBatch, maxWaitMs, concurrency } = { ...DEFAULT_INTAKE_BATCHING, ...deps.batching };
  const waiting: Waiter[] = [];
  let writing = 0;
  let timerArmed = false;

  async function write(batch: Waiter[]): Promise<void> {
    try {
      const unique = [...new Map(batch.map((w) => [w.event.id, w.event])).values()].sort((a, b) =>
        a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      );
      const inserted = await deps.repo.insertMany(unique);
      const fresh = unique.filter((e) => inserted.has(e.id));
      if (fresh.length > 0) await deps.queue.addBulk(fresh.map((e) => eventJob(e, deps.retry)));
      const answered = new Set<string>();
      for (const w of batch) {
        // Within one batch only the first delivery of an id counts as new.
        w.resolve(inserted.has(w.event.id) && !answered.has(w.event.id));
        answered.add(w.event.id);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function pump(): void {
    while (writing < concurrency && waiting.length > 0) {
      const waited = Date.now() - waiting[0]!.since;
      if (waiting.length < maxBatch && waited < maxWaitMs) {
        if (!timerArmed) {
          timerArmed = true;
          setTimeout(() => {
            timerArmed = false;
            pump();
          }, maxWaitMs - waited);
        }
        return;
      }
      const batch = waiting.splice(0, maxBatch);
      writing += 1;
      void write(batch).finally(() => {
        writing -= 1;
        pump();
      });
    }
  }

  return {
    /** Stores and enqueues one event; true when it is new, false for a duplicate delivery. */
    submit(event: StoredEvent): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ event, since: Date.now(), resolve, reject });
        pump();
      });
    },
  };
}

/**
 * Enqueues stored events still unprocessed `graceMs` after they arrived, oldest first, at most `limit`,
 * each under its own event id: an event whose enqueue failed (Redis down) gets its job, and one whose
 * job is still in Redis is left as it is (BullMQ ignores an add with a known job id). Answers how many
 * it looked at.
 */
export async function enqueueStoredEvents(
  deps: { repo: WebhooksRepo; queue: EventsQueue; retry: RetryPolicy },
  options: { graceMs: number; limit: number },
): Promise<number> {
  const stored = await deps.repo.listStale(new Date(Date.now() - options.graceMs), options.limit);
  if (stored.length > 0) {
    await deps.queue.addBulk(
      stored.map((e) => eventJob({ id: e.id, customerId: e.customer_id }, deps.retry)),
    );
  }
  return stored.length;
}

/**
 * The worker's intake sweeper: `enqueueStoredEvents` every `everyMs` for events at least that old.
 * A timer, not a BullMQ job, so it keeps trying while Redis is away; several workers may run it (the
 * job id makes a second enqueue a no-op). `close` stops it after the sweep in flight.
 */
export function startIntakeSweeper(deps: {
  repo: WebhooksRepo;
  queue: EventsQueue;
  retry: RetryPolicy;
  everyMs: number;
  limit?: number;
  logger: Logger;
}) {
  let inFlight: Promise<void> | null = null;
  const sweep = () => {
    inFlight ??= enqueueStoredEvents(deps, { graceMs: deps.everyMs, limit: deps.limit ?? 1_000 })
      .then(
        (events) => {
          if (events > 0) deps.logger.info({ events }, 'intake sweep: stored stripe events (re-)enqueued');
        },
        (error: unknown) => deps.logger.warn({ err: error }, 'intake sweep failed; next run retries'),
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const timer = setInterval(sweep, deps.everyMs);
  timer.unref();
  return {
    sweep,
    async close() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
