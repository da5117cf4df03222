import type { Company, Graph as GraphDto } from '@mna/shared';
import { UndirectedGraph } from 'graphology';
import { singleSource } from 'graphology-shortest-path/dijkstra.js';

export type CompanyNode = {
  name: string;
  industry: string | null;
  region: string | null;
  employees: number | null;
  revenueUsd: number | null;
  tags: string[];
};
export const nodeOf = (c: Company): CompanyNode => ({
  name: c.name,
  industry: c.industry,
  region: c.region,
  employees: c.employees,
  revenueUsd: c.revenueUsd,
  tags: c.tags,
});
export type TieEdge = { strength: number };
export type EcosystemGraph = UndirectedGraph<CompanyNode, TieEdge>;

/** Strengths are clamped away from 0 so 1/strength stays a finite distance. */
const MIN_STRENGTH = 0.01;

/**
 * The tenant's ecosystem as an undirected weighted graph: relationships in either direction between
 * two companies become one tie carrying the strongest strength (an introduction works both ways).
 */
export function buildGraph(dto: Pick<GraphDto, 'nodes' | 'edges'>): EcosystemGraph {
  const graph: EcosystemGraph = new UndirectedGraph<CompanyNode, TieEdge>();
  for (const c of dto.nodes) {
    graph.mergeNode(c.id, nodeOf(c));
  }
  for (const e of dto.edges) {
    if (e.fromCompanyId === e.toCompanyId) continue;
    if (!graph.hasNode(e.fromCompanyId) || !graph.hasNode(e.toCompanyId)) continue;
    const strength = Math.max(MIN_STRENGTH, Math.min(1, e.strength));
    const existing = graph.edge(e.fromCompanyId, e.toCompanyId);
    if (existing === undefined) graph.addEdge(e.fromCompanyId, e.toCompanyId, { strength });
    else if (graph.getEdgeAttribute(existing, 'strength') < strength)
      graph.setEdgeAttribute(existing, 'strength', strength);
  }
  return graph;
}

/** Distance of a tie for shortest paths and betweenness: weak ties are long. */
export const tieDistance = (_edge: string, attributes: TieEdge) => 1 / attributes.strength;

/** Weighted shortest-path distances (sum of 1/strength) from one company to every reachable one. */
export function distancesFrom(graph: EcosystemGraph, source: string): Map<string, number> {
  const paths = singleSource(graph, source, tieDistance);
  const distances = new Map<string, number>();
  for (const [target, path] of Object.entries(paths) as Array<[string, string[]]>) {
    let total = 0;
    for (let i = 1; i < path.length; i++) {
      total += 1 / graph.getEdgeAttribute(graph.edge(path[i - 1], path[i])!, 'strength');
    }
    distances.set(target, total);
  }
  return distances;
}
