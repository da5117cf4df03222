import { createServiceClient, searchRoutes } from '@mna/shared';
import { startFakeServer } from '@mna/testing';
import pg from 'pg';
import { embeddingsAnswer } from '../../apps/search-service/test/fake-openai.js';
import { BENCH_SECRET, machine, startSearchStack } from './setup.js';

// Ingestion throughput, enqueue to searchable: documents posted through the bulk API (1000 per call),
// one embedding worker process (in this process, EMBED_WORKER_CONCURRENCY jobs at a time), until every
// chunk has its embedding. With the local embedder, then with an OpenAI fake answering in 300 ms.
//   BENCH_DOCS=3000 pnpm exec tsx bench/search/ingestion.ts
const DOCS = Number(process.env.BENCH_DOCS ?? 3000);
const TENANT = 'org_ingest_bench';
const WORDS =
  'acquisition merger valuation synergy revenue margin platform customer supplier contract regulation market integration buyout carve-out divestiture diligence leverage equity board investor pipeline freight payments clinic solar grid cloud security analytics lithium streaming subscription'.split(
    ' ',
  );

function documents(prefix: string) {
  let s = 7;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const sentence = () =>
    `${Array.from({ length: 14 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ')}.`;
  const paragraph = () => Array.from({ length: 5 }, sentence).join(' ');
  return Array.from({ length: DOCS }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    kind: 'news' as const,
    title: `Market update ${i}`,
    content: Array.from({ length: 4 }, paragraph).join('\n\n'),
    metadata: { industry: 'logistics', region: 'EMEA' },
  }));
}

async function run(label: string, env: Record<string, string>) {
  const stack = await startSearchStack(env);
  stack.startWorker();
  const owner = new pg.Client({ connectionString: stack.database.ownerUrl });
  await owner.connect();
  const client = createServiceClient({
    service: 'search',
    baseUrl: stack.url,
    internalTokenSecret: BENCH_SECRET,
    timeoutMs: 120_000,
  });
  const principal = () => ({
    tenantId: TENANT,
    userId: 'bench',
    orgRole: null,
    plan: 'enterprise' as const,
    requestId: crypto.randomUUID(),
  });
  try {
    const docs = documents(label);
    const started = performance.now();
    for (let i = 0; i < docs.length; i += 1000) {
      await client.call(searchRoutes.ingestBulk, {
        principal: principal(),
        body: { documents: docs.slice(i, i + 1000) },
      });
    }
    const accepted = performance.now();
    let chunks = 0;
    for (;;) {
      // As the owner (RLS does not apply to a superuser): a bench-side probe, not a service query.
      const { rows } = await owner.query<{ total: number; pending: number }>(
        `select count(*)::int as total, count(*) filter (where embedding is null)::int as pending
         from search.chunks`,
      );
      chunks = rows[0]!.total;
      if (rows[0]!.pending === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    return `| ${label} | ${DOCS} | ${chunks} | ${((accepted - started) / 1000).toFixed(1)} | ${seconds.toFixed(1)} | ${Math.round((chunks / seconds) * 60).toLocaleString('en-US')} | ${Math.round((DOCS / seconds) * 60).toLocaleString('en-US')} |`;
  } finally {
    await client.close();
    await owner.end();
    await stack.close();
  }
}

const fake = await startFakeServer(({ json }) => embeddingsAnswer(json, 300));
try {
  const rows = [
    await run('local embedder', {}),
    await run('OpenAI fake, 300 ms per request', {
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: `${fake.url}/v1`,
    }),
  ];
  console.log(
    `ingestion, enqueue to searchable, ${new Date().toISOString()}, ${await machine()}; requests to the fake: ${fake.requests.length}`,
  );
  console.log(
    '| embedder | documents | chunks | 202s received after s | all chunks embedded after s | chunks/min | documents/min |\n|---|---|---|---|---|---|---|',
  );
  console.log(rows.join('\n'));
} finally {
  await fake.close();
}
