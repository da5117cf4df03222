import { createServiceClient, searchRoutes } from '@mna/shared';
import { buildCorpus } from '../../scripts/demo/corpus.js';
import { BENCH_SECRET, machine, startSearchStack } from './setup.js';

// Relevance of keyword, semantic and hybrid search on the demo corpus's labelled queries, with the
// local embedder: hit-rate@10 (a relevant document in the top 10) and nDCG@10 (graded 2/1).
//   pnpm exec tsx bench/search/relevance.ts
const K = 10;
const stack = await startSearchStack();
stack.startWorker();
const client = createServiceClient({
  service: 'search',
  baseUrl: stack.url,
  internalTokenSecret: BENCH_SECRET,
  timeoutMs: 60_000,
});
const principal = () => ({
  tenantId: 'org_relevance',
  userId: 'bench',
  orgRole: null,
  plan: 'enterprise' as const,
  requestId: crypto.randomUUID(),
});

try {
  const corpus = buildCorpus();
  const accepted = await client.call(searchRoutes.ingestBulk, {
    principal: principal(),
    body: { documents: corpus.documents.map(({ companyRef: _, ...d }) => d) },
  });
  const idToExternal = new Map(accepted.ids.map((id, i) => [id, corpus.documents[i]!.externalId]));
  for (let pending = accepted.ids; pending.length > 0; ) {
    const states = await Promise.all(
      pending.map((id) => client.call(searchRoutes.getDocument, { principal: principal(), params: { id } })),
    );
    pending = states.filter((s) => s.status !== 'indexed').map((s) => s.id);
    if (pending.length) await new Promise((r) => setTimeout(r, 500));
  }
  const dcg = (gains: number[]) => gains.reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const rows: string[] = [];
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    let hits = 0;
    let ndcg = 0;
    for (const q of corpus.queries) {
      const res = await client.call(searchRoutes.search, {
        principal: principal(),
        body: { query: q.query, mode, limit: K },
      });
      const gains = res.results.map((r) => q.relevant[idToExternal.get(r.documentId) ?? ''] ?? 0);
      if (gains.some((g) => g > 0)) hits++;
      const ideal = Object.values(q.relevant)
        .sort((a, b) => b - a)
        .slice(0, K);
      ndcg += dcg(gains) / dcg(ideal);
    }
    const n = corpus.queries.length;
    rows.push(`| ${mode} | ${(hits / n).toFixed(3)} | ${(ndcg / n).toFixed(3)} |`);
  }
  console.log(
    `relevance, ${corpus.queries.length} queries over ${corpus.documents.length} documents, local embedder, ${new Date().toISOString()}, ${await machine()}`,
  );
  console.log('| mode | hit-rate@10 | nDCG@10 |\n|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  await client.close();
  await stack.close();
}
