import { createWorker, QUEUES } from '@mna/shared';
import type { Redis } from '@mna/shared/kit';
import type { Logger } from 'pino';
import { dealJobHandler } from './modules/analysis/analysis.jobs.js';
import { computeGraphMetrics } from './modules/ecosystem/centrality.js';
import { buildGraph } from './modules/ecosystem/graph.js';
import type { AiServices } from './services.js';

export type AiWorkersDeps = {
  services: AiServices;
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** Exact betweenness up to this size (times 10 for the worker); sampled above. */
  inlineBetweennessMaxNodes: number;
  logger: Logger;
};

/** Above the exact limit the worker estimates betweenness from this many sampled sources. */
const WORKER_PIVOTS = 128;

/** The ai consumers: asynchronous deal analyses and whole-graph metrics per graph version. */
export function startAiWorkers(deps: AiWorkersDeps) {
  const settings = { connection: deps.connection, prefix: deps.prefix, logger: deps.logger };
  const deals = createWorker(QUEUES.aiDealAnalysis, dealJobHandler(deps.services.analysis), {
    ...settings,
    concurrency: deps.concurrency,
  });
  const graphs = createWorker(
    QUEUES.aiGraphMetrics,
    async (data) => {
      const principal = {
        tenantId: data.tenantId,
        userId: 'system:ai-worker',
        orgRole: null,
        plan: data.plan,
        requestId: `graph-metrics-${data.graphVersion}`.slice(0, 120),
      };
      const dto = await deps.services.search.graph(principal, { depth: 6, maxNodes: 50_000 });
      const metrics = computeGraphMetrics(buildGraph(dto), {
        exactMaxNodes: deps.inlineBetweennessMaxNodes * 10,
        pivots: WORKER_PIVOTS,
      });
      // Stored under the version actually read: if the graph moved on, the newer job stores its own.
      await deps.services.graphMetrics.put(data.tenantId, dto.version, metrics);
      return { version: dto.version, nodes: dto.nodes.length, betweenness: metrics.betweennessMethod };
    },
    { ...settings, concurrency: 1 },
  );
  return { deals, graphs, close: () => Promise.all([deals.close(), graphs.close()]) };
}
