import type { Graph as GraphDto, Principal } from '@mna/shared';
import { computeGraphMetrics, type GraphMetrics } from './centrality.js';
import { buildGraph, type EcosystemGraph } from './graph.js';
import type { GraphMetricsStore } from './graph-metrics.store.js';
import type { SearchClient } from './search-client.js';

export type LoadedGraph = {
  dto: GraphDto;
  graph: EcosystemGraph;
  metrics: GraphMetrics;
  /** graph version plus where the metrics came from: part of cache keys. */
  dataVersion: string;
};

export type GraphLoaderDeps = {
  search: SearchClient;
  store: GraphMetricsStore;
  inlineBetweennessMaxNodes: number;
};

/** Pivots for the in-request betweenness estimate on graphs too large for the exact computation. */
const INLINE_PIVOTS = 32;

/**
 * The neighbourhood of a company read through search-service, as a graphology graph, with whole-graph
 * metrics from the worker when they exist for this graph version, else computed on the neighbourhood
 * now (and the worker is asked to compute the whole graph for next time).
 */
export function createGraphLoader(deps: GraphLoaderDeps) {
  return async function load(principal: Principal, companyId: string, depth: number): Promise<LoadedGraph> {
    const dto = await deps.search.graph(principal, { companyId, depth });
    const graph = buildGraph(dto);
    const stored = await deps.store.get(principal.tenantId, dto.version);
    if (stored)
      return { dto, graph, metrics: stored, dataVersion: `${dto.version}:global:${stored.computedAt}` };
    await deps.store.request(principal.tenantId, dto.version, principal.plan);
    const metrics = computeGraphMetrics(graph, {
      exactMaxNodes: deps.inlineBetweennessMaxNodes,
      pivots: INLINE_PIVOTS,
    });
    return { dto, graph, metrics, dataVersion: `${dto.version}:local:${companyId}:${depth}` };
  };
}

export type GraphLoader = ReturnType<typeof createGraphLoader>;
