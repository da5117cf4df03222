import type { Company, Graph as GraphDto } from '@mna/shared';
import { UndirectedGraph } from 'graphology';

export type CompanyNode = {
  name: string;
  industry: string | null;
  region: string | null;
  employees: number | null;
  revenueUsd: number | null;
  tags: string[];
  description?: string;
};
export const nodeOf = (c: Company): CompanyNode => ({
  name: c.name,
  industry: c.industry,
  region: c.region,
  employees: c.employees,
  revenueUsd: c.revenueUsd,
  tags: c.tags,
  description: c.description,
});
/** acquiredBy: the end that acquired the other, when an `acquirer` relationship (from → to) is behind the tie. */
export type TieEdge = { strength: number; acquiredBy?: string };
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
    const edge = existing ?? graph.addEdge(e.fromCompanyId, e.toCompanyId, { strength });
    if (graph.getEdgeAttribute(edge, 'strength') < strength)
      graph.setEdgeAttribute(edge, 'strength', strength);
    if (e.kind === 'acquirer') graph.setEdgeAttribute(edge, 'acquiredBy', e.fromCompanyId);
  }
  return graph;
}

/** Distance of a tie for shortest paths and betweenness: weak ties are long. */
export const tieDistance = (_edge: string, attributes: TieEdge) => 1 / attributes.strength;

/**
 * Weighted shortest-path distances (sum of 1/strength) from one company to every reachable one:
 * Dijkstra with a binary heap, distances only (no path arrays), for partner scoring on large graphs.
 */
export function distancesFrom(graph: EcosystemGraph, source: string): Map<string, number> {
  const distances = new Map<string, number>();
  if (!graph.hasNode(source)) return distances;
  const heap: Array<[number, string]> = [[0, source]];
  const best = new Map<string, number>([[source, 0]]);
  const push = (item: [number, string]) => {
    heap.push(item);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent]![0] <= heap[i]![0]) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = (): [number, string] => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  while (heap.length > 0) {
    const [distance, node] = pop();
    if (distances.has(node)) continue;
    distances.set(node, distance);
    graph.forEachNeighbor(node, (neighbour) => {
      if (distances.has(neighbour)) return;
      const next = distance + 1 / graph.getEdgeAttribute(graph.edge(node, neighbour)!, 'strength');
      if (next < (best.get(neighbour) ?? Number.POSITIVE_INFINITY)) {
        best.set(neighbour, next);
        push([next, neighbour]);
      }
    });
  }
  return distances;
}
