import louvainModule from 'graphology-communities-louvain';
import betweennessModule from 'graphology-metrics/centrality/betweenness.js';
import pagerankModule from 'graphology-metrics/centrality/pagerank.js';
import { brandes } from 'graphology-shortest-path/dijkstra.js';
import type { EcosystemGraph } from './graph.js';
import { tieDistance } from './graph.js';

// These packages are CommonJS with `export default` typings: under NodeNext the default import is
// module.exports at run time but typed as the namespace, so take whichever holds the function.
const cjs = <T>(mod: { default: T } | T): T => ((mod as { default?: T }).default ?? mod) as T;
const louvain = cjs(louvainModule);
const betweennessCentrality = cjs(betweennessModule);
const pagerank = cjs(pagerankModule);

export type GraphMetrics = {
  pagerank: Record<string, number>;
  betweenness: Record<string, number>;
  community: Record<string, number>;
  /** 'exact' or 'sampled:<pivots>' for betweenness. */
  betweennessMethod: string;
  computedAt: string;
};

/** A small deterministic PRNG (mulberry32) so communities and samples are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pagerankOf = (graph: EcosystemGraph) =>
  graph.order === 0
    ? {}
    : pagerank(graph, { getEdgeWeight: 'strength', maxIterations: 200, tolerance: 1e-9 });

export const communitiesOf = (graph: EcosystemGraph) =>
  graph.size === 0
    ? Object.fromEntries(graph.nodes().map((n, i) => [n, i]))
    : louvain(graph, { getEdgeWeight: 'strength', rng: seededRandom(42) });

/**
 * Betweenness with 1/strength as distance (Brandes). Exact for up to `exactMaxNodes` nodes; above,
 * estimated from `pivots` evenly sampled sources and scaled by n/pivots (Brandes & Pich 2007).
 * Values are normalised to [0, 1] by the undirected pair count.
 */
export function betweennessOf(
  graph: EcosystemGraph,
  options: { exactMaxNodes: number; pivots: number },
): { values: Record<string, number>; method: string } {
  const n = graph.order;
  if (n <= options.exactMaxNodes) {
    return {
      values: betweennessCentrality(graph, { getEdgeWeight: tieDistance, normalized: true }),
      method: 'exact',
    };
  }
  const nodes = graph.nodes();
  const random = seededRandom(7);
  const sources = new Set<string>();
  while (sources.size < Math.min(options.pivots, n)) sources.add(nodes[Math.floor(random() * n)]!);
  const centrality: Record<string, number> = Object.fromEntries(nodes.map((node) => [node, 0]));
  for (const source of sources) {
    const [stack, predecessors, sigma] = brandes(graph, source, tieDistance);
    const delta: Record<string, number> = {};
    for (let i = stack.length - 1; i >= 0; i--) {
      const w = stack[i]!;
      const coefficient = (1 + (delta[w] ?? 0)) / sigma[w]!;
      for (const v of predecessors[w] ?? []) delta[v] = (delta[v] ?? 0) + sigma[v]! * coefficient;
      if (w !== source) centrality[w] = (centrality[w] ?? 0) + (delta[w] ?? 0);
    }
  }
  // Undirected: each pair is counted from both ends; scale the sample up, then normalise.
  const scale = n / sources.size / 2 / (((n - 1) * (n - 2)) / 2);
  for (const node of nodes) centrality[node] = (centrality[node] ?? 0) * scale;
  return { values: centrality, method: `sampled:${sources.size}` };
}

export function computeGraphMetrics(
  graph: EcosystemGraph,
  options: { exactMaxNodes: number; pivots: number },
): GraphMetrics {
  const betweenness = betweennessOf(graph, options);
  return {
    pagerank: pagerankOf(graph),
    betweenness: betweenness.values,
    community: communitiesOf(graph),
    betweennessMethod: betweenness.method,
    computedAt: new Date().toISOString(),
  };
}
