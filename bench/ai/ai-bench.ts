// AI service benchmarks: local analyst, cache hits over HTTP, partner search and influence map on a
// generated ecosystem of 20,000 companies and 100,000 relationships with precomputed centrality.
// Run: pnpm exec tsx bench/ai/ai-bench.ts   (needs Redis; search-service is a contract-true stand-in)
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { DealInputSchema } from '@mna/shared';
import { internalHeaders } from '@mna/testing';
import { Pool } from 'undici';
import { computeDealMetrics } from '../../apps/ai-service/src/modules/analysis/deal-metrics.js';
import { analyseLocally } from '../../apps/ai-service/src/modules/analysis/local-analyst.js';
import { computeGraphMetrics } from '../../apps/ai-service/src/modules/ecosystem/centrality.js';
import { buildGraph } from '../../apps/ai-service/src/modules/ecosystem/graph.js';
import { createAiServices } from '../../apps/ai-service/src/services.js';
import { healthyDeal } from '../../apps/ai-service/test/fixtures.js';
import { syntheticEcosystem } from '../../apps/ai-service/test/synthetic-ecosystem.js';
import { startInProcessAi } from './in-process-ai.js';
import { startStandInProcess } from './stand-in-process.js';
import { timeSequential } from './stats.js';

const COMPANIES = Number(process.env.BENCH_COMPANIES ?? 20_000);
const RELATIONSHIPS = Number(process.env.BENCH_RELATIONSHIPS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const PIVOTS = Number(process.env.BENCH_PIVOTS ?? 128);
const ONLY_ECOSYSTEM = process.env.BENCH_ONLY === 'ecosystem';

const results: Record<string, unknown> = {};

const log = (label: string, value: unknown) => {
  results[label] = value;
  console.log(label, JSON.stringify(value));
};

// 1. Local analyst, in process.
const deal = DealInputSchema.parse({
  ...healthyDeal,
  notes: `${healthyDeal.notes} Pending litigation; largest customer 40%.`,
});
if (!ONLY_ECOSYSTEM)
  log(
    'local analyst (function)',
    await timeSequential(10_000, 500, () =>
      analyseLocally(deal, computeDealMetrics(deal), { passages: [], documentIds: [], tokens: 0 }),
    ),
  );

console.time('generate ecosystem');
const eco = syntheticEcosystem({ companies: COMPANIES, edges: RELATIONSHIPS, seed: 2026 });
console.timeEnd('generate ecosystem');
const ecoTenant = { version: 'bench-v1' };
const search = await startStandInProcess();

const ai = await startInProcessAi('ai-bench', search.url);
const { config, logger, metrics, db, redis, queues, app } = ai;
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

// undici's Pool on one keep-alive connection, as in gateway-cache-bench.ts (fetch costs this process,
// which also serves the requests, far more CPU per request).
const client = new Pool(base, { connections: 1 });
const call = async (tenantId: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
  const response = await client.request({
    method,
    path,
    headers: {
      ...(await internalHeaders({ tenantId })),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (response.statusCode !== 200)
    throw new Error(`${method} ${path}: ${response.statusCode} ${await response.body.text()}`);
  return response.body.json() as Promise<{ cached?: boolean }>;
};

try {
  if (!ONLY_ECOSYSTEM) await analystAndCache();
  await ecosystem();
} finally {
  await client.close();
  await ai.close();
  await search.close();
}

async function analystAndCache() {
  // 2. Local analyst over HTTP, every request a cache miss (unique notes), search stand-in included.
  log(
    'local analyst (HTTP, cache miss)',
    await timeSequential(500, 50, (i) =>
      call('org_bench', 'POST', '/v1/ai/deals/analyze', {
        ...healthyDeal,
        notes: `miss ${i} ${Math.random()}`,
      }),
    ),
  );
  // 3. Cache hits over HTTP (direct to ai-service; evidence is still read from search to key the cache).
  const hit = await call('org_bench', 'POST', '/v1/ai/deals/analyze', healthyDeal);
  const second = await call('org_bench', 'POST', '/v1/ai/deals/analyze', healthyDeal);
  if (second.cached !== true || hit.cached !== false) throw new Error('expected a miss then a hit');
  log(
    'cache hit (HTTP, direct)',
    await timeSequential(2_000, 100, () => call('org_bench', 'POST', '/v1/ai/deals/analyze', healthyDeal)),
  );
}

async function ecosystem() {
  // 4. Whole-graph metrics as the worker computes them, then stored for the graph version.
  const full = buildGraph({ nodes: eco.companies, edges: eco.edges });
  let start = performance.now();
  const graphMetrics = computeGraphMetrics(full, {
    exactMaxNodes: config.INLINE_BETWEENNESS_MAX_NODES * 10,
    pivots: PIVOTS,
  });
  log('graph metrics job (20k/100k: PageRank, sampled betweenness, Louvain) ms', {
    ms: Math.round(performance.now() - start),
    betweenness: graphMetrics.betweennessMethod,
  });
  const services = createAiServices({ config, logger, metrics, db, redis, ...queues });
  await services.graphMetrics.put('org_eco', ecoTenant.version, graphMetrics);
  await services.search.close();

  // 5. Partner search and influence map for random companies (each a cache miss).
  const ids = eco.companies.map((c) => c.id);
  const pickId = (i: number) => ids[(Math.abs(i) * 7919) % ids.length]!;
  start = performance.now();
  log(
    'partners/find (20k/100k, cache miss)',
    await timeSequential(REQUESTS, 10, (i) =>
      call('org_eco', 'POST', '/v1/ai/partners/find', {
        companyId: pickId(i),
        goal: 'partnership',
        limit: 10,
      }),
    ),
  );
  log(
    'influence depth=2 (20k/100k, cache miss)',
    await timeSequential(REQUESTS, 10, (i) =>
      call('org_eco', 'GET', `/v1/ai/companies/${pickId(i + 5000)}/influence?depth=2&to=${pickId(i + 9000)}`),
    ),
  );
  log(
    'influence depth=3 (20k/100k, cache miss)',
    await timeSequential(Math.min(REQUESTS, 100), 5, (i) =>
      call('org_eco', 'GET', `/v1/ai/companies/${pickId(i + 12000)}/influence?depth=3`),
    ),
  );
}

console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${os.cpus().length}x ${os.cpus()[0]?.model}`,
      node: process.version,
      results,
    },
    null,
    2,
  ),
);
