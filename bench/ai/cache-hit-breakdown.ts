// Where a cache hit of POST /v1/ai/deals/analyze spends its time inside ai-service: each step of the
// hit path timed alone (sequential, after warm-up), next to the whole request through Fastify inject.
// The search stand-in runs in its own process (search-stand-in-server.ts), as search-service would.
// Run: cd bench && pnpm exec tsx ai/cache-hit-breakdown.ts
import os from 'node:os';
import { DealAnalysisSchema, DealInputSchema, signInternalToken, verifyInternalToken } from '@mna/shared';
import { internalHeaders, TEST_INTERNAL_SECRET, testPrincipal } from '@mna/testing';
import { recordAnalysis } from '../../apps/ai-service/src/modules/analysis/analysis.repo.js';
import { createSearchClient } from '../../apps/ai-service/src/modules/ecosystem/search-client.js';
import { healthyDeal } from '../../apps/ai-service/test/fixtures.js';
import { startInProcessAi } from './in-process-ai.js';
import { startStandInProcess } from './stand-in-process.js';
import { timeSequential } from './stats.js';

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
process.env.BENCH_COMPANIES ??= '10';
process.env.BENCH_RELATIONSHIPS ??= '10';

const search = await startStandInProcess();
const ai = await startInProcessAi('ai-breakdown', search.url);
const { app, db, redis, prefix } = ai;
const client = createSearchClient({
  baseUrl: search.url,
  internalTokenSecret: TEST_INTERNAL_SECRET,
  timeoutMs: 5_000,
});
const principal = testPrincipal({ tenantId: 'org_bench' });
const deal = DealInputSchema.parse(healthyDeal);
try {
  const headers = await internalHeaders({ tenantId: 'org_bench' });
  const analyze = () =>
    app.inject({ method: 'POST', url: '/v1/ai/deals/analyze', headers, payload: healthyDeal });
  const first = await analyze();
  const analysis = DealAnalysisSchema.parse(first.json());
  const cachedText = JSON.stringify(analysis);
  await redis.set(`${prefix}:breakdown`, cachedText);
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length}x ${os.cpus()[0]?.model}`,
    load: os.loadavg().map((l) => Math.round(l * 10) / 10),
    'whole hit (inject, no gateway)': await timeSequential(N, 100, async () => {
      if (!(await analyze()).json().cached) throw new Error('expected a cache hit');
    }),
    'internal token sign + verify': await timeSequential(N, 100, async () =>
      verifyInternalToken(await signInternalToken(principal, TEST_INTERNAL_SECRET), TEST_INTERNAL_SECRET),
    ),
    "documents' version: search-service call (HTTP)": await timeSequential(N, 100, () =>
      client.dataVersion(principal),
    ),
    'redis GET of the entry': await timeSequential(N, 100, () => redis.get(`${prefix}:breakdown`)),
    'zod re-validation of the entry': await timeSequential(N, 100, () =>
      DealAnalysisSchema.parse(JSON.parse(cachedText)),
    ),
    'audit row + outbox event (one statement)': await timeSequential(N, 100, (i) =>
      recordAnalysis(db, principal, { analysisId: `bench-${i}`, deal, analysis }),
    ),
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await client.close();
  await ai.close();
  await search.close();
}
