// AI service benchmarks: local analyst, cache hits over HTTP, partner search and influence map on a
// generated ecosystem of 20,000 companies and 100,000 relationships with precomputed centrality.
// Run: pnpm exec tsx bench/ai/ai-bench.ts   (needs Redis; search-service is a contract-true stand-in)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { createLogger, createMetrics, DealInputSchema } from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import { deleteKeysWithPrefix, internalHeaders, TEST_INTERNAL_SECRET, uniquePrefix } from '@mna/testing';
import { buildApp } from '../../apps/ai-service/src/app.js';
import { configSpec } from '../../apps/ai-service/src/config.js';
import type { AiDatabase } from '../../apps/ai-service/src/db/schema.js';
import { computeDealMetrics } from '../../apps/ai-service/src/modules/analysis/deal-metrics.js';
import { analyseLocally } from '../../apps/ai-service/src/modules/analysis/local-analyst.js';
import { computeGraphMetrics } from '../../apps/ai-service/src/modules/ecosystem/centrality.js';
import { buildGraph } from '../../apps/ai-service/src/modules/ecosystem/graph.js';
import { createAiQueues } from '../../apps/ai-service/src/queues.js';
import { createAiServices } from '../../apps/ai-service/src/services.js';
import { healthyDeal } from '../../apps/ai-service/test/fixtures.js';
import { syntheticEcosystem } from '../../apps/ai-service/test/synthetic-ecosystem.js';
import { timeSequential } from './stats.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const COMPANIES = Number(process.env.BENCH_COMPANIES ?? 20_000);
const RELATIONSHIPS = Number(process.env.BENCH_RELATIONSHIPS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const PIVOTS = Number(process.env.BENCH_PIVOTS ?? 128);
const ONLY_ECOSYSTEM = process.env.BENCH_ONLY === 'ecosystem';

const results: Record<string, unknown> = {};

/** Starts the search stand-in in a child process with the same generated ecosystem. */
async function startStandInProcess() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./search-stand-in-server.ts', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    },
  );
  const [url] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return {
    url,
    close: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
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
    await timeSequential(10_000, 500, () => analyseLocally(deal, computeDealMetrics(deal), [])),
  );

console.time('generate ecosystem');
const eco = syntheticEcosystem({ companies: COMPANIES, edges: RELATIONSHIPS, seed: 2026 });
console.timeEnd('generate ecosystem');
const ecoTenant = { version: 'bench-v1' };
const search = await startStandInProcess();

const prefix = uniquePrefix('ai-bench');
const config = configSpec.schema.parse({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  REDIS_URL,
  REDIS_PREFIX: prefix,
  SEARCH_SERVICE_URL: search.url,
});
const redis = createRedis(REDIS_URL);
const db = createDb<AiDatabase>({ connectionString: config.DATABASE_URL, max: 1 });
const queues = createAiQueues(redis, prefix);
const metrics = createMetrics('ai-service');
const logger = createLogger({ service: 'ai-service', level: 'silent' });
const app = await buildApp({ config, logger, metrics, db, redis, ...queues });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const call = async (tenantId: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(await internalHeaders({ tenantId })),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status !== 200)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<{ cached?: boolean }>;
};

try {
  if (!ONLY_ECOSYSTEM) await analystAndCache();
  await ecosystem();
} finally {
  await app.close();
  await queues.dealQueue.close();
  await queues.graphQueue.close();
  await search.close();
  await deleteKeysWithPrefix(prefix, REDIS_URL);
  redis.disconnect();
  await db.destroy();
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
  const services = createAiServices({ config, logger, metrics, redis, ...queues });
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
