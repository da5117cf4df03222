import { jobPayload, QUEUES, type TypedQueue } from '@mna/shared';

export type EmbedQueue = TypedQueue<typeof QUEUES.searchEmbed>;
export type EmbedTarget = 'document' | 'company';
export type EmbedJobOptions = { attempts: number; backoffMs: number };

/**
 * Enqueues embedding jobs, one per document or company, always after the transaction that wrote the
 * rows has committed. Retries back off exponentially; after the last attempt the row is dead-lettered.
 * With `dedupeKey` each job gets the id `<dedupeKey>-<target>-<row id>`, so enqueueing the same work
 * twice (a re-embedding sweep run by two workers, or again after a restart) adds it once.
 */
export function createEmbedEnqueuer(queue: EmbedQueue, options: EmbedJobOptions) {
  return async (
    tenantId: string,
    target: EmbedTarget,
    ids: string[],
    requestId?: string,
    dedupeKey?: string,
  ) => {
    if (ids.length === 0) return;
    await queue.addBulk(
      ids.map((id) => ({
        name: target,
        data: jobPayload(QUEUES.searchEmbed, { tenantId, target, id, ...(requestId ? { requestId } : {}) }),
        opts: {
          ...(dedupeKey ? { jobId: `${dedupeKey}-${target}-${id}` } : {}),
          attempts: options.attempts,
          backoff: { type: 'exponential', delay: options.backoffMs },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 10_000 },
        },
      })),
    );
  };
}

export type EmbedEnqueuer = ReturnType<typeof createEmbedEnqueuer>;
