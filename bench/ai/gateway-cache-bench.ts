// Cache-hit latency of POST /v1/ai/deals/analyze through the real gateway process (dev auth) to the
// real ai-service process; search-service is the contract-true stand-in in this process.
// Tenants rotate so the gateway's per-tenant AI rate limit (120/min on Enterprise) is never reached.
// Run: cd bench && pnpm exec tsx ai/gateway-cache-bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeysWithPrefix, internalHeaders, TEST_INTERNAL_SECRET, uniquePrefix } from '@mna/testing';
import { healthyDeal, tenantWithDocuments } from '../../apps/ai-service/test/fixtures.js';
import { devToken, freePort, startServiceProcess } from '../../apps/ai-service/test/processes.js';
import { startSearchStandIn } from '../../apps/ai-service/test/search-stand-in.js';
import { migratedAiDatabase } from './in-process-ai.js';
import { timeSequential } from './stats.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANTS = 20;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);

const prefix = uniquePrefix('ai-gw-bench');
const keyDir = mkdtempSync(join(tmpdir(), 'mna-dev-keys-'));
const keyFile = join(keyDir, 'keys.json');
const tenants = Array.from({ length: TENANTS }, (_, i) => `org_bench_${i}`);
const search = await startSearchStandIn(Object.fromEntries(tenants.map((t) => [t, tenantWithDocuments(t)])));
const common = { INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET, REDIS_URL, REDIS_PREFIX: prefix };
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
try {
  const tokens: string[] = [];
  for (const tenant of tenants)
    tokens.push(await devToken(keyFile, ['--org', tenant, '--plan', 'enterprise']));
  const analyze = async (i: number) => {
    const response = await fetch(`${gateway.url}/v1/ai/deals/analyze`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens[Math.abs(i) % TENANTS]}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(healthyDeal),
    });
    const body = (await response.json()) as { cached?: boolean };
    if (response.status !== 200) throw new Error(`status ${response.status}: ${JSON.stringify(body)}`);
    return body;
  };
  for (let i = 0; i < TENANTS; i++) await analyze(i); // one miss per tenant fills its cache entry
  let misses = 0;
  const result = await timeSequential(REQUESTS, 0, async (i) => {
    if (!(await analyze(i)).cached) misses++;
  });
  // The same hits straight to ai-service (its internal token, no gateway): what the gateway adds.
  const direct = await Promise.all(
    tenants.map((tenantId) => internalHeaders({ tenantId, plan: 'enterprise' })),
  );
  const directResult = await timeSequential(REQUESTS, 0, async (i) => {
    const response = await fetch(`${ai.url}/v1/ai/deals/analyze`, {
      method: 'POST',
      headers: { ...direct[Math.abs(i) % TENANTS], 'content-type': 'application/json' },
      body: JSON.stringify(healthyDeal),
    });
    const body = (await response.json()) as { cached?: boolean };
    if (response.status !== 200 || !body.cached) misses++;
  });
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${os.cpus().length}x ${os.cpus()[0]?.model}`,
        'cache hit through gateway': result,
        'cache hit direct to ai-service (same processes)': directResult,
        misses,
      },
      null,
      2,
    ),
  );
} finally {
  await gateway.stop();
  await ai.stop();
  await search.close();
  await database.drop();
  await deleteKeysWithPrefix(prefix, REDIS_URL);
  rmSync(keyDir, { recursive: true, force: true });
}
