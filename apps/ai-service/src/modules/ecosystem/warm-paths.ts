import { bidirectional } from 'graphology-shortest-path/dijkstra.js';
import type { EcosystemGraph, TieEdge } from './graph.js';

export type WarmPath = { path: string[]; strength: number };

/** Maximising the product of strengths = minimising the sum of -ln(strength). */
const logDistance = (_edge: string, attributes: TieEdge) => -Math.log(attributes.strength);

const strengthOf = (graph: EcosystemGraph, path: string[]) => {
  let product = 1;
  for (let i = 1; i < path.length; i++)
    product *= graph.getEdgeAttribute(graph.edge(path[i - 1], path[i])!, 'strength');
  return Math.round(product * 1e6) / 1e6;
};

/**
 * The strongest warm-introduction paths from `source` to `target` (strength = product of tie
 * strengths along the path): the best path, then the best detour around each of its ties.
 */
export function warmPaths(graph: EcosystemGraph, source: string, target: string, limit = 3): WarmPath[] {
  if (!graph.hasNode(source) || !graph.hasNode(target) || source === target) return [];
  const best = bidirectional(graph, source, target, logDistance);
  if (!best || best.length === 0) return [];
  const found = new Map<string, WarmPath>([
    [best.join('>'), { path: best, strength: strengthOf(graph, best) }],
  ]);
  for (let i = 1; i < best.length; i++) {
    const [u, v] = [best[i - 1]!, best[i]!];
    const attributes = graph.getEdgeAttributes(graph.edge(u, v)!);
    graph.dropEdge(u, v);
    try {
      const detour = bidirectional(graph, source, target, logDistance);
      if (detour && detour.length > 0 && !found.has(detour.join('>')))
        found.set(detour.join('>'), { path: detour, strength: strengthOf(graph, detour) });
    } finally {
      graph.addEdge(u, v, attributes);
    }
  }
  return [...found.values()]
    .sort((a, b) => b.strength - a.strength || a.path.length - b.path.length)
    .slice(0, limit);
}
