import { createQueue, QUEUES } from '@mna/shared';
import type { Redis } from '@mna/shared/kit';

/** Producers of the ai queues; they fail fast (client connection) instead of hanging a request. */
export function createAiQueues(connection: Redis, prefix: string) {
  const settings = { connection, prefix: `${prefix}:bull` };
  return {
    dealQueue: createQueue(QUEUES.aiDealAnalysis, settings),
    graphQueue: createQueue(QUEUES.aiGraphMetrics, settings),
  };
}
