import { jobPayload, type PlanId, QUEUES, type TypedQueue } from '@mna/shared';
import type { Redis } from '@mna/shared/kit';
import type { Logger } from 'pino';
import { sha256 } from '../cache/canonical.js';
import type { GraphMetrics } from './centrality.js';

export type GraphMetricsStoreDeps = {
  redis: Redis;
  prefix: string;
  ttlSeconds: number;
  queue: TypedQueue<typeof QUEUES.aiGraphMetrics> | null;
  logger: Logger;
};

const MEMO_SIZE = 16;

/**
 * Whole-graph metrics precomputed by the worker, one entry per (tenant, graph version): a changed
 * graph has a new version, so an old entry is never read for it. A small in-process memo saves the
 * parse of large entries on hot paths.
 */
export function createGraphMetricsStore(deps: GraphMetricsStoreDeps) {
  const memo = new Map<string, GraphMetrics>();
  const keyOf = (tenantId: string, version: string) =>
    `${deps.prefix}:ai:graph-metrics:${sha256(tenantId).slice(0, 24)}:${sha256(version).slice(0, 32)}`;

  async function get(tenantId: string, version: string): Promise<GraphMetrics | null> {
    const key = keyOf(tenantId, version);
    const cached = memo.get(key);
    if (cached) return cached;
    const text = await deps.redis.get(key).catch(() => null);
    if (!text) return null;
    const metrics = JSON.parse(text) as GraphMetrics;
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
    memo.set(key, metrics);
    return metrics;
  }

  async function put(tenantId: string, version: string, metrics: GraphMetrics): Promise<void> {
    await deps.redis.set(keyOf(tenantId, version), JSON.stringify(metrics), 'EX', deps.ttlSeconds);
  }

  /** Asks the worker to compute metrics for this version; one job per (tenant, version). */
  async function request(tenantId: string, version: string, plan: PlanId): Promise<void> {
    if (!deps.queue) return;
    const jobId = `gm-${sha256(`${tenantId}\n${version}`).slice(0, 40)}`;
    await deps.queue
      .add('graph-metrics', jobPayload(QUEUES.aiGraphMetrics, { tenantId, graphVersion: version, plan }), {
        jobId,
        removeOnComplete: { age: 3_600 },
        removeOnFail: { age: 86_400 },
        attempts: 3,
        backoff: { type: 'exponential', delay: 2_000 },
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'graph metrics job not enqueued'));
  }

  return { get, put, request };
}

export type GraphMetricsStore = ReturnType<typeof createGraphMetricsStore>;
