import {
  type InfluenceMapSchema,
  NotFoundError,
  type Principal,
  InfluenceMapSchema as Schema,
} from '@mna/shared';
import type { z } from 'zod';
import type { ResultCache } from '../cache/result-cache.js';
import type { GraphLoader } from './graph-loader.js';
import { warmPaths } from './warm-paths.js';

type InfluenceMap = z.output<typeof InfluenceMapSchema>;

export const INFLUENCE_VERSION = 'influence/2026-11-22.1';
/** Nodes listed in one answer: the most influential of the neighbourhood (plus the company and target). */
const MAX_NODES = 200;
const MAX_BROKERS = 5;

export function createInfluenceService(deps: { loadGraph: GraphLoader; cache: ResultCache }) {
  async function influence(
    principal: Principal,
    companyId: string,
    options: { depth: number; to?: string | undefined },
  ): Promise<InfluenceMap> {
    const loaded = await deps.loadGraph(principal, companyId, options.depth);
    if (!loaded.graph.hasNode(companyId)) throw new NotFoundError('No such company.');
    const { value, cached } = await deps.cache.getOrCompute(
      {
        tenantId: principal.tenantId,
        operation: 'influence',
        model: 'graphology',
        promptVersion: INFLUENCE_VERSION,
        input: { companyId, depth: options.depth, to: options.to ?? null },
        dataVersion: loaded.dataVersion,
      },
      Schema,
      async () => {
        const { graph, metrics } = loaded;
        const at = (map: Record<string, number>, id: string) => map[id] ?? 0;
        const ranked = graph
          .nodes()
          .sort((a, b) => at(metrics.pagerank, b) - at(metrics.pagerank, a) || (a < b ? -1 : 1));
        const keep = new Set(ranked.slice(0, MAX_NODES));
        keep.add(companyId);
        if (options.to && graph.hasNode(options.to)) keep.add(options.to);
        const nodes = ranked
          .filter((id) => keep.has(id))
          .map((id) => ({
            companyId: id,
            name: graph.getNodeAttribute(id, 'name'),
            pagerank: at(metrics.pagerank, id),
            betweenness: at(metrics.betweenness, id),
            community: at(metrics.community, id),
          }));
        const brokers = graph
          .nodes()
          .filter((id) => id !== companyId && at(metrics.betweenness, id) > 0)
          .sort((a, b) => at(metrics.betweenness, b) - at(metrics.betweenness, a) || (a < b ? -1 : 1))
          .slice(0, MAX_BROKERS)
          .map((id) => ({
            companyId: id,
            name: graph.getNodeAttribute(id, 'name'),
            betweenness: at(metrics.betweenness, id),
          }));
        return {
          companyId,
          nodes,
          brokers,
          warmPaths: options.to ? warmPaths(graph, companyId, options.to) : [],
          computedAt: metrics.computedAt,
          cached: false,
        };
      },
    );
    return { ...value, cached };
  }
  return { influence };
}

export type InfluenceService = ReturnType<typeof createInfluenceService>;
