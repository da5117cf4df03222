// Where a partner search spends its time on the 20k/100k ecosystem (in process, no HTTP).
import { DEFAULT_PARTNER_WEIGHTS } from '../../apps/ai-service/src/config.js';
import { pagerankOf } from '../../apps/ai-service/src/modules/ecosystem/centrality.js';
import { buildGraph, nodeOf } from '../../apps/ai-service/src/modules/ecosystem/graph.js';
import { scoreCandidates } from '../../apps/ai-service/src/modules/ecosystem/partners.service.js';
import { syntheticEcosystem } from '../../apps/ai-service/test/synthetic-ecosystem.js';

const eco = syntheticEcosystem({ companies: 20_000, edges: 100_000, seed: 2026 });
const adjacency = new Map<string, string[]>();
for (const e of eco.edges) {
  adjacency.set(e.fromCompanyId, [...(adjacency.get(e.fromCompanyId) ?? []), e.toCompanyId]);
  adjacency.set(e.toCompanyId, [...(adjacency.get(e.toCompanyId) ?? []), e.fromCompanyId]);
}
const full = buildGraph({ nodes: eco.companies, edges: eco.edges });
const pagerank = pagerankOf(full);
for (const depth of [2, 3]) {
  for (const c of eco.companies.slice(0, 5)) {
    const ids = new Set([c.id]);
    let frontier = [c.id];
    for (let d = 0; d < depth; d++) {
      const next: string[] = [];
      for (const id of frontier)
        for (const n of adjacency.get(id) ?? []) if (!ids.has(n)) ids.add(n), next.push(n);
      frontier = next;
    }
    const nodes = eco.companies.filter((x) => ids.has(x.id));
    const edges = eco.edges.filter((e) => ids.has(e.fromCompanyId) && ids.has(e.toCompanyId));
    const json = JSON.stringify({ nodes, edges });
    let t = performance.now();
    const parsed = JSON.parse(json);
    const tParse = performance.now() - t;
    t = performance.now();
    const graph = buildGraph(parsed);
    const tBuild = performance.now() - t;
    t = performance.now();
    scoreCandidates({
      companyId: c.id,
      company: nodeOf(c),
      goal: 'partnership',
      weights: DEFAULT_PARTNER_WEIGHTS.partnership,
      graph,
      pagerank,
      similarity: new Map(),
      extra: new Map(),
    });
    const tScore = performance.now() - t;
    console.log({
      depth,
      nodes: nodes.length,
      edges: edges.length,
      kb: Math.round(json.length / 1024),
      tParse: Math.round(tParse),
      tBuild: Math.round(tBuild),
      tScore: Math.round(tScore),
    });
  }
}
