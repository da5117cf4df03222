// Cache-hit latency of POST /v1/ai/deals/analyze through the real gateway process (dev auth) to the
// real ai-service process; search-service is the contract-true stand-in in a third process, or the
// real search-service process with BENCH_SEARCH=service.
// The client is undici's Pool on one keep-alive connection (what autocannon uses): Node's fetch
// costs the client process far more CPU per request, on the same two cores as the services.
// Every process is warmed up (WARMUP hits) before ROUNDS timed rounds of REQUESTS hits each; each
// round also times the same hits straight to ai-service, so the gateway's share shows.
// 100 tenants rotate so the gateway's per-tenant AI rate limit (120/min on Enterprise) is never reached.
// Run: cd bench && pnpm exec tsx ai/gateway-cache-bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeysWithPrefix, internalHeaders, TEST_INTERNAL_SECRET, uniquePrefix } from '@mna/testing';
import { Pool } from 'undici';
import { healthyDeal } from '../../apps/ai-service/test/fixtures.js';
import { devToken, freePort, startServiceProcess } from '../../apps/ai-service/test/processes.js';
import { migratedAiDatabase } from './in-process-ai.js';
import { startSearchServiceProcess } from './search-service-process.js';
import { startStandInProcess } from './stand-in-process.js';
import { percentiles, timeSequential } from './stats.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANTS = 100;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);

const prefix = uniquePrefix('ai-gw-bench');
const keyDir = mkdtempSync(join(tmpdir(), 'mna-dev-keys-'));
const keyFile = join(keyDir, 'keys.json');
const tenants = Array.from({ length: TENANTS }, (_, i) => `org_bench_${i}`);
const common = { INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET, REDIS_URL, REDIS_PREFIX: prefix };
// BENCH_SEARCH=service: the real search-service process instead of the stand-in.
const REAL_SEARCH = process.env.BENCH_SEARCH === 'service';
const search = REAL_SEARCH
  ? await startSearchServiceProcess(common, tenants)
  : await startStandInProcess({
      BENCH_TENANTS: String(TENANTS),
      BENCH_COMPANIES: '10',
      BENCH_RELATIONSHIPS: '10',
    });
const database = await migratedAiDatabase();
const ai = await startServiceProcess('ai-service', {
  ...common,
  SEARCH_SERVICE_URL: search.url,
  DATABASE_URL: database.appUrl,
});
const gateway = await startServiceProcess('gateway', {
  ...common,
  DEV_AUTH_KEY_FILE: keyFile,
  AI_SERVICE_URL: ai.url,
  SEARCH_SERVICE_URL: search.url,
  BILLING_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
});
const viaGateway = new Pool(gateway.url, { connections: 1 });
const straight = new Pool(ai.url, { connections: 1 });
try {
  // The gateway's own token command, a few at a time (each is a Node process).
  const tokens: string[] = [];
  for (let i = 0; i < TENANTS; i += 4) {
    const batch = tenants.slice(i, i + 4);
    tokens.push(
      ...(await Promise.all(
        batch.map((tenant) => devToken(keyFile, ['--org', tenant, '--plan', 'enterprise'])),
      )),
    );
  }
  const body = JSON.stringify(healthyDeal);
  let misses = 0;
  const analyze = async (pool: Pool, headers: Record<string, string>) => {
    const response = await pool.request({
      path: '/v1/ai/deals/analyze',
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.body.json()) as { cached?: boolean };
    if (response.statusCode !== 200)
      throw new Error(`status ${response.statusCode}: ${JSON.stringify(answer)}`);
    if (!answer.cached) misses++;
  };
  const throughGateway = (i: number) =>
    analyze(viaGateway, { authorization: `Bearer ${tokens[Math.abs(i) % TENANTS]}` });
  for (let i = 0; i < TENANTS; i++) await throughGateway(i); // one miss per tenant fills its entry
  misses = 0;
  for (let i = 0; i < WARMUP; i++) await throughGateway(i);
  const samples = { gateway: [] as number[], direct: [] as number[] };
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const gateway = await timeSequential(REQUESTS, 0, throughGateway, samples.gateway);
    // Internal tokens live 60 s at most: fresh ones each round.
    const internal = await Promise.all(
      tenants.map((tenantId) => internalHeaders({ tenantId, plan: 'enterprise' })),
    );
    const direct = await timeSequential(
      REQUESTS,
      0,
      (i) => analyze(straight, internal[Math.abs(i) % TENANTS]!),
      samples.direct,
    );
    rounds.push({ round, gateway, direct });
  }
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${os.cpus().length}x ${os.cpus()[0]?.model}`,
        load: os.loadavg().map((l) => Math.round(l * 10) / 10),
        search: REAL_SEARCH ? 'search-service process' : 'stand-in process',
        warmup: WARMUP,
        'cache hit through gateway (all rounds)': percentiles(samples.gateway),
        'cache hit direct to ai-service (all rounds)': percentiles(samples.direct),
        rounds,
        misses,
      },
      null,
      2,
    ),
  );
} finally {
  await viaGateway.close();
  await straight.close();
  await gateway.stop();
  await ai.stop();
  await search.close();
  await database.drop();
  await deleteKeysWithPrefix(prefix, REDIS_URL);
  rmSync(keyDir, { recursive: true, force: true });
}
