import { randomUUID } from 'node:crypto';
import type { Company, Relationship } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { betweennessOf, seededRandom } from './centrality.js';
import { buildGraph } from './graph.js';

function randomEcosystem(nodes: number, edges: number, seed: number) {
  const random = seededRandom(seed);
  const ids = Array.from({ length: nodes }, () => randomUUID());
  const companies = ids.map((id, i) => ({ id, name: `c${i}`, tags: [] }) as unknown as Company);
  const relationships = Array.from({ length: edges }, () => {
    const from = ids[Math.floor(random() * nodes)]!;
    const to = ids[Math.floor(random() * nodes)]!;
    return { fromCompanyId: from, toCompanyId: to, strength: 0.05 + random() * 0.95 } as Relationship;
  });
  return buildGraph({ nodes: companies, edges: relationships });
}

describe('betweenness', () => {
  it('the pivot-sampled Brandes equals the exact graphology result when every node is a pivot', () => {
    const graph = randomEcosystem(60, 150, 1);
    const exact = betweennessOf(graph, { exactMaxNodes: 10_000, pivots: 0 });
    const sampled = betweennessOf(graph, { exactMaxNodes: 0, pivots: 60 });
    expect(exact.method).toBe('exact');
    expect(sampled.method).toBe('sampled:60');
    for (const node of graph.nodes()) expect(sampled.values[node]).toBeCloseTo(exact.values[node]!, 9);
  });

  it('with fewer pivots it still finds the main brokers', () => {
    const graph = randomEcosystem(400, 1200, 2);
    const top = (values: Record<string, number>) =>
      Object.entries(values)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([id]) => id);
    const exact = top(betweennessOf(graph, { exactMaxNodes: 10_000, pivots: 0 }).values);
    const sampled = top(betweennessOf(graph, { exactMaxNodes: 0, pivots: 100 }).values);
    expect(sampled.filter((id) => exact.includes(id)).length).toBeGreaterThanOrEqual(6);
  });
});
