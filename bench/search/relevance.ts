import { searchRoutes } from '@mna/shared';
import pg from 'pg';
import { buildCorpus } from '../../scripts/demo/corpus.js';
import { distractors, PARAPHRASES } from './relevance-hard.js';
import { benchSearchClient, machine, startSearchStack } from './setup.js';

// Relevance of keyword, semantic and hybrid search with the local embedder, on the demo corpus plus
// one distractor document per company (relevance-hard.ts), over two query sets: the demo's 130
// templated queries, and 65 hand-written paraphrases that avoid the answer's words. Per mode and set:
// hit-rate@10 (a relevant document in the top 10), MRR@10 and nDCG@10 (graded 2/1).
//   pnpm exec tsx bench/search/relevance.ts
const K = 10;
const stack = await startSearchStack();
stack.startWorker();
const client = benchSearchClient(stack.url);
const principal = () => ({
  tenantId: 'org_relevance',
  userId: 'bench',
  orgRole: null,
  plan: 'enterprise' as const,
  requestId: crypto.randomUUID(),
});

try {
  const corpus = buildCorpus();
  const documents = [
    ...corpus.documents.map(({ companyRef: _, ...d }) => d),
    ...distractors(corpus.companies),
  ];
  const accepted = await client.call(searchRoutes.ingestBulk, {
    principal: principal(),
    body: { documents },
  });
  const idToExternal = new Map(accepted.ids.map((id, i) => [id, documents[i]!.externalId]));
  // The demo's first 65 queries are one per company, in order: their labels serve the paraphrases.
  const paraphrases = corpus.companies.map((c, i) => ({
    query: PARAPHRASES[c.ref]!,
    relevant: corpus.queries[i]!.relevant,
  }));
  const sets = [
    ['templated (demo)', corpus.queries],
    ['paraphrased', paraphrases],
  ] as const;
  // How many paraphrases still share a stemmed word with one of their grade-2 documents.
  let overlapping = 0;
  const owner = new pg.Client({ connectionString: stack.database.ownerUrl });
  await owner.connect();
  const texts = new Map(documents.map((d) => [d.externalId, `${d.title} ${d.content}`]));
  for (const p of paraphrases) {
    const answers = Object.entries(p.relevant)
      .filter(([, g]) => g === 2)
      .map(([id]) => texts.get(id) ?? '');
    const { rows } = await owner.query<{ shared: number }>(
      `select count(*)::int as shared from unnest(tsvector_to_array(to_tsvector('english', $1))) q(l)
       where l = any(select unnest(tsvector_to_array(to_tsvector('english', $2))))`,
      [p.query, answers.join(' ')],
    );
    if (rows[0]!.shared > 0) overlapping++;
  }
  await owner.end();
  for (let pending = accepted.ids; pending.length > 0; ) {
    const states = await Promise.all(
      pending.map((id) => client.call(searchRoutes.getDocument, { principal: principal(), params: { id } })),
    );
    pending = states.filter((s) => s.status !== 'indexed').map((s) => s.id);
    if (pending.length) await new Promise((r) => setTimeout(r, 500));
  }
  const dcg = (gains: number[]) => gains.reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const rows: string[] = [];
  for (const [set, queries] of sets)
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      let hits = 0;
      let ndcg = 0;
      let mrr = 0;
      for (const q of queries) {
        const res = await client.call(searchRoutes.search, {
          principal: principal(),
          body: { query: q.query, mode, limit: K },
        });
        const gains = res.results.map((r) => q.relevant[idToExternal.get(r.documentId) ?? ''] ?? 0);
        if (gains.some((g) => g > 0)) hits++;
        const first = gains.findIndex((g) => g > 0);
        if (first >= 0) mrr += 1 / (first + 1);
        const ideal = Object.values(q.relevant)
          .sort((a, b) => b - a)
          .slice(0, K);
        ndcg += dcg(gains) / dcg(ideal);
      }
      const n = queries.length;
      rows.push(
        `| ${set} (${n}) | ${mode} | ${(hits / n).toFixed(3)} | ${(mrr / n).toFixed(3)} | ${(ndcg / n).toFixed(3)} |`,
      );
    }
  console.log(
    `relevance, ${corpus.queries.length} templated + ${paraphrases.length} paraphrased queries (${overlapping} share a stemmed word with an answer) over ${documents.length} documents (${corpus.companies.length} distractors), local embedder, ${new Date().toISOString()}, ${await machine()}`,
  );
  console.log('| queries | mode | hit-rate@10 | MRR@10 | nDCG@10 |\n|---|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  await client.close();
  await stack.close();
}
