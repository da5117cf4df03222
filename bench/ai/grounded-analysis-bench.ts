// Grounded deal analysis: latency of POST /v1/ai/deals/analyze with the documents' passages read, for
// the local analyst and for Claude through the Anthropic fake (real SDK, real HTTP to the fake), and
// the prompt-cache share Claude's usage reports on repeated analyses of the same documents.
// Run: pnpm exec tsx bench/ai/grounded-analysis-bench.ts   (needs Postgres and Redis; search-service is
// the contract-true stand-in, in process). BENCH_REQUESTS (default 200) analyses per provider.
import os from 'node:os';
import { DealAnalysisSchema, DealInputSchema } from '@mna/shared';
import { internalHeaders, startAnthropicFake } from '@mna/testing';
import { computeDealMetrics } from '../../apps/ai-service/src/modules/analysis/deal-metrics.js';
import { EVIDENCE_TOKEN_BUDGET } from '../../apps/ai-service/src/modules/analysis/evidence.js';
import { analyseLocally } from '../../apps/ai-service/src/modules/analysis/local-analyst.js';
import { assessment } from '../../apps/ai-service/test/fixtures.js';
import { halcyonCim, halcyonDeal } from '../../apps/ai-service/test/halcyon.js';
import { chunksOf, doc, startSearchStandIn } from '../../apps/ai-service/test/search-stand-in.js';
import { startInProcessAi } from './in-process-ai.js';
import { timeSequential } from './stats.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const log = (label: string, value: unknown) => console.log(label, JSON.stringify(value));

// A data room: the Halcyon CIM plus three longer documents about the target (management accounts,
// a legal memo, a customer review), so the passages fill most of the evidence budget.
const cim = halcyonCim();
const paragraph = (topic: string, i: number) =>
  `${topic} note ${i}. Halcyon Robotics reported steady ${topic} figures for the quarter, with detail by site, product line and customer segment. Management commented on ${topic} trends, the order backlog, pricing and the outlook for the next twelve months.`;
const room = ['financial', 'legal', 'customer'].map((topic) =>
  doc({
    kind: topic === 'legal' ? 'note' : 'deal_memo',
    title: `Halcyon Robotics ${topic} review`,
    content: Array.from({ length: 14 }, (_, i) => paragraph(topic, i)).join('\n\n'),
  }),
);
const small = doc({
  kind: 'note',
  title: 'Tiny Co note',
  content: 'Tiny Co sells garden tools. No litigation is pending.',
});
const search = await startSearchStandIn({
  org_bench: { companies: [], edges: [], documents: [cim, ...room, small], version: 'b1' },
});
const ids = [cim.id, ...room.map((d) => d.id)];

// Claude's answer quotes a real sentence of the CIM (kept by the quote check) and one that is not there.
const legal = chunksOf(cim).find((c) => c.text.includes('class action'))!;
const anthropic = await startAnthropicFake(() =>
  JSON.stringify(
    assessment([cim.id], {
      recommendation: 'pass',
      quotes: [
        {
          documentId: cim.id,
          chunkId: legal.id,
          quote: 'a putative securities class action was filed against the company',
        },
        { documentId: cim.id, chunkId: legal.id, quote: 'The company settled every claim.' },
      ],
    }),
  ),
);

const local = await startInProcessAi('bench-grounded-local', search.url);
const claude = await startInProcessAi('bench-grounded-claude', search.url, {
  ANTHROPIC_API_KEY: 'sk-ant-bench',
  ANTHROPIC_BASE_URL: anthropic.url,
  ANTHROPIC_MAX_RETRIES: '0',
});

/** One analysis at a price that changes with `i`, so every call is a result-cache miss. */
async function analyze(app: typeof local.app, i: number, documentIds = ids, target = 'Halcyon Robotics') {
  const deal = halcyonDeal(documentIds);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/ai/deals/analyze',
    headers: await internalHeaders({ tenantId: 'org_bench' }),
    payload: {
      ...deal,
      target,
      financials: { ...deal.financials, enterpriseValue: 400 + ((i + 1000) % 1000) * 0.037 },
    },
  });
  if (res.statusCode !== 200) throw new Error(`analyze answered ${res.statusCode}: ${res.body}`);
  return DealAnalysisSchema.parse(res.json());
}

try {
  console.log(
    `machine: ${os.cpus().length} vCPU, ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}`,
  );
  const sample = await analyze(local.app, 0);
  log('local analyst on the data room', {
    recommendation: sample.recommendation,
    risks: sample.risks.map((r) => `${r.category}:${r.severity}`),
    quotes: sample.quotes.length,
  });

  // The analyst alone, on the passages the service gathered (no I/O).
  const passages = [cim, ...room].flatMap((d) =>
    chunksOf(d).map((c) => ({ documentId: d.id, chunkId: c.id, title: d.title, kind: d.kind, text: c.text })),
  );
  const parsed = DealInputSchema.parse(halcyonDeal(ids));
  const evidence = { passages, documentIds: ids, tokens: 0 };
  log(
    `local analyst function (${passages.length} passages) ms`,
    await timeSequential(2000, 100, () => analyseLocally(parsed, computeDealMetrics(parsed), evidence)),
  );
  log(
    'POST /deals/analyze, local analyst (cache miss: search + passages + analysis + audit) ms',
    await timeSequential(REQUESTS, 20, (i) => analyze(local.app, i)),
  );

  const before = anthropic.usages.length;
  const claudeLatency = await timeSequential(REQUESTS, 0, (i) => analyze(claude.app, i));
  log('POST /deals/analyze, Claude through the Anthropic fake (cache miss) ms', claudeLatency);
  const usages = anthropic.usages.slice(before);
  const total = (u: (typeof usages)[number]) =>
    u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  const sum = (f: (u: (typeof usages)[number]) => number) => usages.reduce((n, u) => n + f(u), 0);
  log('Claude prompt tokens per analysis (first, then repeated)', {
    first: usages[0],
    repeated: usages[1],
    evidenceBudgetTokens: EVIDENCE_TOKEN_BUDGET,
  });
  log('cached-token share over repeated analyses of the same documents', {
    analyses: usages.length,
    promptTokens: sum(total),
    cacheRead: sum((u) => u.cache_read_input_tokens),
    cacheWrite: sum((u) => u.cache_creation_input_tokens),
    share: Math.round((sum((u) => u.cache_read_input_tokens) / sum(total)) * 1000) / 1000,
  });

  // A prefix under the model's minimum (1024 tokens for Sonnet-class models) is never cached.
  const smallFrom = anthropic.usages.length;
  for (let i = 0; i < 3; i++) await analyze(claude.app, i, [small.id], 'Tiny Co');
  log(
    'small prefix (one short note): usages',
    anthropic.usages.slice(smallFrom).map((u) => ({
      input: u.input_tokens,
      read: u.cache_read_input_tokens,
      write: u.cache_creation_input_tokens,
    })),
  );
} finally {
  await local.close();
  await claude.close();
  await anthropic.close();
  await search.close();
}
