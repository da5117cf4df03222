import type { SearchResponse } from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, ingestAll, rng } from './fixtures.js';
import { eventually, useHarness } from './harness.js';

const A = 'org_bm25_a';
const B = 'org_bm25_b';
const h = useHarness();
const K1 = 1.2;
const B_ = 0.75;

/** BM25 as the issue states it, from counts the test knows. */
const idf = (n: number, df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
const termScore = (n: number, df: number, tf: number, len: number, avglen: number) =>
  (idf(n, df) * tf * (K1 + 1)) / (tf + K1 * (1 - B_ + (B_ * len) / avglen));

// Each chunk is "<title>\n\n<content>": every token below stems to itself and none is a stop word.
const corpus = [
  { externalId: 'd1', title: 'alpha', content: 'beta beta gamma' }, // length 4
  { externalId: 'd2', title: 'alpha', content: 'gamma delta' }, // length 3
  { externalId: 'd3', title: 'alpha', content: 'delta delta delta omega omega omega' }, // length 7
];
const ids: Record<string, string> = {};

async function post(tenant: string, doc: { externalId: string; title: string; content: string }, extra = {}) {
  const res = await call(h, 'POST', '/v1/documents', tenant, { kind: 'note', ...doc, ...extra });
  expect(res.statusCode, res.body).toBe(202);
  return (res.json() as { id: string }).id;
}

async function search(tenant: string, body: Record<string, unknown>) {
  const res = await call(h, 'POST', '/v1/search', tenant, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SearchResponse;
}

/** The tenant's statistics, read under its own RLS binding. */
async function statsOf(tenant: string) {
  return withTenant(h.db, tenant, async (trx) => {
    const totals = await sql<{ n: number; total: number }>`select chunk_count::int as n,
      total_length::int as total from search.tenant_term_totals`.execute(trx);
    const terms = await sql<{ lexeme: string; df: number }>`select lexeme, df from search.term_stats
      where df > 0 order by lexeme`.execute(trx);
    return {
      n: totals.rows[0]?.n ?? 0,
      total: totals.rows[0]?.total ?? 0,
      df: Object.fromEntries(terms.rows.map((r) => [r.lexeme, r.df])),
    };
  });
}

beforeAll(async () => {
  for (const d of corpus) ids[d.externalId] = await post(A, d);
  // Tenant B: another corpus in which "beta" is common.
  await post(B, { externalId: 'b1', title: 'beta', content: 'beta epsilon' });
  await post(B, { externalId: 'b2', title: 'beta', content: 'zeta' });
});

describe('BM25 keyword ranking', () => {
  it('scores a hand-computed example: 3 documents, known IDF and lengths', async () => {
    const n = 3;
    const avglen = (4 + 3 + 7) / 3;
    const res = await search(A, { query: 'beta delta', mode: 'keyword', explain: true });
    const expected = [
      { id: ids.d1, score: termScore(n, 1, 2, 4, avglen) }, // beta: tf 2, df 1
      { id: ids.d3, score: termScore(n, 2, 3, 7, avglen) }, // delta: tf 3, df 2
      { id: ids.d2, score: termScore(n, 2, 1, 3, avglen) }, // delta: tf 1, df 2
    ].sort((x, y) => y.score - x.score);
    expect(res.results.map((r) => r.documentId)).toEqual(expected.map((e) => e.id));
    for (const [i, r] of res.results.entries()) {
      expect(r.score).toBeCloseTo(expected[i]!.score, 10);
      expect(r.scores.keyword).toBeCloseTo(expected[i]!.score, 10);
      const terms = r.explain!.terms;
      expect(terms).toHaveLength(1);
      expect(terms[0]!.contribution).toBeCloseTo(expected[i]!.score, 10);
      expect(r.explain).toMatchObject({ keywordRank: i + 1, fusedRank: i + 1, semanticRank: null });
    }
    expect(res.results.find((r) => r.documentId === ids.d1)!.explain!.terms[0]!.term).toBe('beta');
    // A term in every document still adds a little (the +1 inside the log keeps idf positive).
    const both = await search(A, { query: 'alpha beta', mode: 'keyword', explain: true });
    const d1 = both.results.find((r) => r.documentId === ids.d1)!;
    expect(d1.score).toBeCloseTo(termScore(n, 3, 1, 4, avglen) + termScore(n, 1, 2, 4, avglen), 10);
    expect(d1.explain!.terms.map((t) => t.term)).toEqual(['beta', 'alpha']);
    expect(both.results).toHaveLength(3);
  });

  it('matches the metadata the user filled in: industry, region, tags', async () => {
    const id = await post(
      A,
      { externalId: 'meta', title: 'plain title', content: 'nothing special here' },
      { metadata: { industry: 'Aquaculture', region: 'Patagonia', tags: ['salmonids'] } },
    );
    for (const query of ['aquaculture', 'patagonia', 'salmonids']) {
      const res = await search(A, { query, mode: 'keyword' });
      expect(res.results.map((r) => r.documentId)).toEqual([id]);
    }
    await call(h, 'DELETE', `/v1/documents/${id}`, A);
  });

  it('matches the name of the company a document is tied to', async () => {
    const company = (
      await call(h, 'POST', '/v1/companies', A, { name: 'Zyxwvut Holdings', description: 'x' })
    ).json() as { id: string };
    const id = await post(
      A,
      { externalId: 'tied', title: 'quarterly note', content: 'revenue grew' },
      { metadata: { companyId: company.id } },
    );
    const res = await search(A, { query: 'zyxwvut', mode: 'keyword' });
    expect(res.results.map((r) => r.documentId)).toEqual([id]);
    await call(h, 'DELETE', `/v1/documents/${id}`, A);
  });
});

describe('term statistics', () => {
  it('are exact after insert, re-post with changed content and delete; tenants never share them', async () => {
    const before = await statsOf(A);
    expect(before).toEqual({
      n: 3,
      total: 14,
      df: { alpha: 3, beta: 1, delta: 2, gamma: 2, omega: 1 },
    });
    const bBefore = await statsOf(B);
    expect(bBefore).toEqual({ n: 2, total: 3 + 2, df: { beta: 2, epsilon: 1, zeta: 1 } });

    // Re-post d2 with changed content: its old lexemes leave, the new ones count.
    await post(A, { externalId: 'd2', title: 'alpha', content: 'beta beta beta beta epsilon' });
    expect(await statsOf(A)).toEqual({
      n: 3,
      total: 4 + 6 + 7,
      df: { alpha: 3, beta: 2, delta: 1, epsilon: 1, gamma: 1, omega: 1 },
    });
    // Tenant A now holds "epsilon" and more "beta": B's statistics and scores do not move.
    expect(await statsOf(B)).toEqual(bBefore);
    const inB = await search(B, { query: 'epsilon', mode: 'keyword' });
    expect(inB.results[0]!.score).toBeCloseTo(termScore(2, 1, 1, 3, 5 / 2), 10);

    expect((await call(h, 'DELETE', `/v1/documents/${ids.d3}`, A)).statusCode).toBe(204);
    expect(await statsOf(A)).toEqual({
      n: 2,
      total: 4 + 6,
      df: { alpha: 2, beta: 2, epsilon: 1, gamma: 1 },
    });
    expect(await statsOf(B)).toEqual(bBefore);
    // The ranking follows: with d3 gone, "delta" matches nothing in A.
    expect((await search(A, { query: 'delta', mode: 'keyword' })).results).toEqual([]);

    // Restore the corpus for the other tests of this file.
    await post(A, { externalId: 'd2', title: 'alpha', content: 'gamma delta' });
    ids.d3 = await post(A, corpus[2]!);
    expect(await statsOf(A)).toEqual(before);
  });
});

describe('top-k pruning', () => {
  it('keyword pages and the hybrid keyword leg equal BM25 computed in the test from every chunk', async () => {
    const D = 'org_bm25_d';
    const random = rng(11);
    const vocab = 'harbour copper timber cargo bridge river north south crane ledger vessel quarry'.split(
      ' ',
    );
    // Zipf-like use: the first words are in most documents, the last ones in a few.
    const docs = Array.from({ length: 400 }, (_, i) => ({
      externalId: `z${i}`,
      kind: 'note' as const,
      title: `record ${i}`,
      content: Array.from(
        { length: 4 + Math.floor(random() * 30) },
        () => vocab[Math.floor(vocab.length * random() ** 2.5)],
      ).join(' '),
    }));
    await ingestAll(h, D, docs);
    const query = 'harbour copper crane quarry';
    const exact = await withTenant(h.db, D, async (trx) => {
      const { rows } = await sql<{ document_id: string; term_count: number; terms: Record<string, number> }>`
        select c.document_id, c.term_count, coalesce((select jsonb_object_agg(u.lexeme, array_length(u.positions, 1))
          from unnest(c.tsv) u), '{}'::jsonb) as terms from search.chunks c`.execute(trx);
      const q = (
        await sql<{ l: string[] }>`select tsvector_to_array(to_tsvector('english', ${query})) as l`.execute(
          trx,
        )
      ).rows[0]!.l;
      const n = rows.length;
      const avglen = rows.reduce((s, r) => s + r.term_count, 0) / n;
      const df = (t: string) => rows.filter((r) => r.terms[t]).length;
      const best = new Map<string, number>();
      for (const r of rows) {
        const score = q.reduce(
          (s, t) => (r.terms[t] ? s + termScore(n, df(t), r.terms[t], r.term_count, avglen) : s),
          0,
        );
        if (score > 0) best.set(r.document_id, Math.max(best.get(r.document_id) ?? 0, score));
      }
      return [...best].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    });
    expect(exact.length).toBeGreaterThan(100);
    const page1 = await search(D, { query, mode: 'keyword', limit: 10 });
    const page2 = await search(D, { query, mode: 'keyword', limit: 10, cursor: page1.nextCursor });
    const got = [...page1.results, ...page2.results];
    expect(got.map((r) => r.documentId)).toEqual(exact.slice(0, 20).map(([id]) => id));
    for (const [i, r] of got.entries()) expect(r.score).toBeCloseTo(exact[i]![1], 9);
    // Convex fusion with α = 0 orders by the keyword leg alone (the leg prunes to its window).
    const hybrid = await search(D, { query, fusion: 'convex', alpha: 0, limit: 10 });
    expect(hybrid.results.map((r) => r.documentId)).toEqual(exact.slice(0, 10).map(([id]) => id));
  });
});

describe('term statistics under concurrent writers', () => {
  it('stay equal to a recount of the chunks after concurrent posts, re-posts and deletes', async () => {
    const C = 'org_bm25_c';
    const words = ['north', 'south', 'river', 'harbour', 'copper', 'timber', 'cargo', 'bridge'];
    const doc = (i: number, v: number) => ({
      externalId: `c${i % 12}`,
      title: `${words[i % 8]} ${words[(i + v) % 8]}`,
      content: Array.from({ length: 5 + ((i * 7 + v) % 11) }, (_, k) => words[(i + k * v) % 8]).join(' '),
    });
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => post(C, doc(i, 1))));
    // Re-posts with changed content, new documents and deletes, all at once.
    await Promise.all([
      ...Array.from({ length: 24 }, (_, i) => post(C, doc(i, 2 + (i % 3)))),
      ...first.slice(0, 4).map((id) => call(h, 'DELETE', `/v1/documents/${id}`, C)),
    ]);
    const recount = await withTenant(h.db, C, async (trx) => {
      const totals = await sql<{ n: number; total: number }>`select count(*)::int as n,
        coalesce(sum(term_count), 0)::int as total from search.chunks`.execute(trx);
      const terms = await sql<{ lexeme: string; df: number }>`select u.lexeme, count(*)::int as df
        from search.chunks c, unnest(c.tsv) u group by u.lexeme order by u.lexeme`.execute(trx);
      return {
        n: totals.rows[0]!.n,
        total: totals.rows[0]!.total,
        df: Object.fromEntries(terms.rows.map((r) => [r.lexeme, r.df])),
      };
    });
    expect(recount.n).toBeGreaterThan(0);
    expect(await statsOf(C)).toEqual(recount);
  });
});

describe('hybrid fusion and explain', () => {
  beforeAll(async () => {
    h.startWorker();
    await eventually(async () => {
      const { rows } = await withTenant(h.db, A, (trx) =>
        sql<{ n: number }>`select count(*)::int as n from search.chunks where embedding is null`.execute(trx),
      );
      return rows[0]?.n === 0;
    }, 60_000);
  });

  for (const fusion of ['rrf', 'convex'] as const) {
    it(`${fusion}: explain gives both legs' ranks, the similarity and the fused rank across pages`, async () => {
      const query = 'beta delta omega';
      const all = await search(A, { query, fusion, explain: true, limit: 3 });
      expect(all.results).toHaveLength(3);
      const first = await search(A, { query, fusion, explain: true, limit: 2 });
      const second = await search(A, { query, fusion, explain: true, limit: 2, cursor: first.nextCursor });
      const paged = [...first.results, ...second.results];
      expect(paged.map((r) => r.documentId)).toEqual(all.results.map((r) => r.documentId));
      expect(paged.map((r) => r.explain!.fusedRank)).toEqual([1, 2, 3]);
      for (const r of all.results) {
        const e = r.explain!;
        expect(e.semantic).toBeCloseTo(r.scores.semantic!, 3);
        expect(e.semanticRank).toBeGreaterThanOrEqual(1);
        expect(e.keywordRank).toBeGreaterThanOrEqual(1);
        const sum = e.terms.reduce((s, t) => s + t.contribution, 0);
        expect(sum).toBeCloseTo(r.scores.keyword!, 10);
      }
      if (fusion === 'convex') {
        // α = 1 is the semantic order, α = 0 the keyword order.
        const sem = await search(A, { query, fusion, alpha: 1, limit: 3 });
        const semOrder = [...sem.results].sort((x, y) => y.scores.semantic! - x.scores.semantic!);
        expect(sem.results.map((r) => r.documentId)).toEqual(semOrder.map((r) => r.documentId));
        const kw = await search(A, { query, fusion, alpha: 0, limit: 3 });
        const kwOrder = await search(A, { query, mode: 'keyword', limit: 3 });
        expect(kw.results.map((r) => r.documentId)).toEqual(kwOrder.results.map((r) => r.documentId));
        expect(kw.results[0]!.score).toBeCloseTo(1, 10);
      }
    });
  }

  it('keyword mode explains the similarity of each result chunk too, once it is embedded', async () => {
    const kw = await search(A, { query: 'beta delta omega', mode: 'keyword', explain: true });
    const sem = await search(A, { query: 'beta delta omega', mode: 'semantic', limit: 10 });
    const bySemantic = new Map(sem.results.map((r) => [r.chunkId, r.scores.semantic!]));
    for (const r of kw.results) expect(r.explain!.semantic).toBeCloseTo(bySemantic.get(r.chunkId)!, 3);
  });

  it('a cursor of one fusion is refused by the other', async () => {
    const first = await search(A, { query: 'alpha', fusion: 'rrf', limit: 1 });
    const res = await call(h, 'POST', '/v1/search', A, {
      query: 'alpha',
      fusion: 'convex',
      limit: 1,
      cursor: first.nextCursor,
    });
    expect(res.statusCode).toBe(400);
  });
});
