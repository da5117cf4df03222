import type { DocumentInput, SearchFilters, SearchResponse } from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { toVectorLiteral } from '../src/modules/embeddings/embedder.js';
import { LOCAL_IDF_MODEL, localIdfEmbedding } from '../src/modules/embeddings/local-idf-embedder.js';
import { termStatsQuery } from '../src/modules/search/bm25.sql.js';
import { hybridQuery } from '../src/modules/search/hybrid.sql.js';
import { chunkConditions, keywordSearchQuery, semanticQuery } from '../src/modules/search/search.sql.js';
import { call, ingestAll, syntheticDocuments } from './fixtures.js';
import { indexingBudgetMs, useHarness, waitUntilIndexed } from './harness.js';

const TENANT = 'org_pages';
const DOCUMENTS = 2000;
const bm25 = { k1: 1.2, b: 0.75 };
const MODES = ['hybrid', 'semantic', 'keyword'] as const;
const h = useHarness();
let docs: DocumentInput[];
const idByExternal = new Map<string, string>();

async function search(body: Record<string, unknown>) {
  const res = await call(h, 'POST', '/v1/search', TENANT, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SearchResponse;
}

beforeAll(async () => {
  h.startWorker();
  docs = syntheticDocuments(DOCUMENTS, { prefix: 'p', seed: 3, rareEvery: 100 });
  const ids = await ingestAll(h, TENANT, docs);
  for (const [i, d] of docs.entries()) idByExternal.set(d.externalId, ids[i]!);
  await waitUntilIndexed(h, TENANT, DOCUMENTS);
  // Fresh planner statistics, as autovacuum would gather them (only the owner may ANALYZE).
  const owner = new pg.Client({ connectionString: h.ownerUrl });
  await owner.connect();
  await owner.query('vacuum analyze search.chunks');
  await owner.query('vacuum analyze search.documents');
  await owner.end();
}, indexingBudgetMs(DOCUMENTS) + 120_000); // plus the bulk calls and the vacuum

/** The fixture documents a filter matches, computed in the test from the inputs. */
function expected(filter: (d: DocumentInput) => boolean): Set<string> {
  return new Set(docs.filter(filter).map((d) => idByExternal.get(d.externalId)!));
}

describe('filters', () => {
  it('a 1% filter still returns `limit` results, and all of them when fewer match', async () => {
    const rare = expected((d) => d.metadata?.industry === 'Rare Earths');
    expect(rare.size).toBe(20);
    for (const mode of ['semantic', 'hybrid'] as const) {
      const ten = await search({
        query: 'logistics acquisition synergy',
        mode,
        limit: 10,
        filters: { industry: ['Rare Earths'] },
      });
      expect(ten.results).toHaveLength(10);
      const all = await search({
        query: 'logistics acquisition synergy',
        mode,
        limit: 50,
        filters: { industry: ['Rare Earths'] },
      });
      expect(new Set(all.results.map((r) => r.documentId))).toEqual(rare);
    }
  });

  const cases: Array<[string, SearchFilters, (d: DocumentInput) => boolean]> = [
    ['kind', { kind: ['cim'] }, (d) => d.kind === 'cim'],
    ['region', { region: ['APAC', 'LATAM'] }, (d) => ['APAC', 'LATAM'].includes(d.metadata?.region ?? '')],
    ['tags', { tags: ['earnout'] }, (d) => (d.metadata?.tags ?? []).includes('earnout')],
    [
      'dealSizeUsd',
      { dealSizeUsd: { min: 100_000_000, max: 150_000_000 } },
      (d) => (d.metadata?.dealSizeUsd ?? -1) >= 100_000_000 && (d.metadata?.dealSizeUsd ?? -1) <= 150_000_000,
    ],
    [
      'published range',
      { publishedAfter: '2024-01-10T00:00:00Z', publishedBefore: '2024-01-12T00:00:00Z' },
      (d) =>
        d.metadata!.publishedAt! >= '2024-01-10T00:00:00' && d.metadata!.publishedAt! < '2024-01-12T00:00:00',
    ],
  ];
  for (const [name, filters, predicate] of cases) {
    it(`${name}: every result matches, and min(limit, matching) come back`, async () => {
      const want = expected(predicate);
      expect(want.size).toBeGreaterThan(10);
      const res = await search({
        query: 'company considers revenue growth',
        mode: 'semantic',
        limit: 100,
        filters,
      });
      expect(res.results.length).toBe(Math.min(100, want.size));
      for (const r of res.results) expect(want.has(r.documentId)).toBe(true);
    });
  }

  it('combines filters and minScore', async () => {
    const res = await search({
      query: 'fintech payments',
      mode: 'semantic',
      limit: 100,
      minScore: 0.2,
      filters: { industry: ['fintech'], region: ['EMEA'] },
    });
    for (const r of res.results) {
      expect(r.metadata.industry).toBe('fintech');
      expect(r.metadata.region).toBe('EMEA');
      expect(r.score).toBeGreaterThanOrEqual(0.2);
    }
  });
});

describe('cursor pagination', () => {
  for (const mode of MODES) {
    it(`${mode}: 5 pages, no duplicate, no gap, stable while documents are inserted`, {
      timeout: indexingBudgetMs(20) + 30_000,
    }, async () => {
      const query = 'fintech payments platform acquisition';
      const truth = await search({ query, mode, limit: 50 });
      expect(truth.results).toHaveLength(50);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const res = await search({ query, mode, limit: 10, ...(cursor ? { cursor } : {}) });
        expect(res.results).toHaveLength(10);
        seen.push(...res.results.map((r) => r.documentId));
        expect(res.nextCursor).toBeTruthy();
        cursor = res.nextCursor!;
        if (page === 0) {
          // New, highly relevant documents arrive between pages; they must not shift the pages.
          const fresh = Array.from({ length: 20 }, (_, i) => ({
            externalId: `fresh-${mode}-${i}`,
            kind: 'news' as const,
            title: `fintech payments platform acquisition ${i}`,
            content: `Fintech payments platform acquisition announced, deal ${i}.`,
          }));
          await ingestAll(h, TENANT, fresh);
          await waitUntilIndexed(h, TENANT, fresh.length);
        }
      }
      expect(new Set(seen).size).toBe(50);
      expect(seen).toEqual(truth.results.map((r) => r.documentId));
    });
  }

  it('rejects a cursor replayed against another query', async () => {
    const first = await search({ query: 'mining copper', mode: 'keyword', limit: 5 });
    const res = await call(h, 'POST', '/v1/search', TENANT, {
      query: 'solar wind',
      mode: 'keyword',
      cursor: first.nextCursor,
    });
    expect(res.statusCode).toBe(400);
  });
});

// At 2,000 rows a sequential scan is cheaper and the planner rightly takes it; with seq scans
// disabled these tests show that each query shape can be served by its index (same operator, same
// opclass). At 100k chunks the planner picks the indexes unprompted (bench/search, BENCHMARKS.md).
describe('query plans', () => {
  /** EXPLAIN of the exact SQL the service runs, with the service's session settings. */
  async function plan(
    query: { compile: (db: typeof h.db) => { sql: string; parameters: readonly unknown[] } },
    disable: string[],
  ) {
    return withTenant(h.db, TENANT, async (trx) => {
      await sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(trx);
      for (const setting of disable) await sql`select set_config(${setting}, 'off', true)`.execute(trx);
      const compiled = query.compile(h.db);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>({
        sql: `explain (format text) ${compiled.sql}`,
        parameters: compiled.parameters,
        query: { kind: 'RawNode' } as never,
        queryId: { queryId: 'explain' } as never,
      });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }
  const text = 'fintech payments acquisition';
  const rare = 'quixotic';
  /** Without seq scans and sorts only an index that yields rows in distance order can serve. */
  const ORDERED = ['enable_seqscan', 'enable_sort'];
  const BITMAP = ['enable_seqscan', 'enable_indexscan'];
  const vector = toVectorLiteral(localIdfEmbedding(text));
  const statsOf = async (t: string) =>
    (await withTenant(h.db, TENANT, (trx) => termStatsQuery(t, TENANT).execute(trx))).rows[0]!;
  const common = (filters: SearchFilters = {}) => ({
    conds: chunkConditions(TENANT, new Date(), filters),
    boundary: null,
    limit: 10,
    tenantId: TENANT,
    model: LOCAL_IDF_MODEL,
  });

  it('semantic search walks the HNSW index, filtered or not', async () => {
    for (const filters of [{}, { industry: ['Rare Earths'] }]) {
      const p = await plan(semanticQuery({ ...common(filters), vector, candidates: 55 }), ORDERED);
      expect(p).toContain('chunks_embedding_hnsw');
    }
  });

  it('through the HNSW index, a 1% filter needs the iterative scan to fill the page', async () => {
    const run = (iterative: string) =>
      withTenant(h.db, TENANT, async (trx) => {
        await sql`select set_config('hnsw.iterative_scan', ${iterative}, true)`.execute(trx);
        await sql`select set_config('enable_seqscan', 'off', true)`.execute(trx);
        await sql`select set_config('enable_sort', 'off', true)`.execute(trx);
        await sql`select set_config('hnsw.ef_search', '40', true)`.execute(trx);
        const q = semanticQuery({ ...common({ industry: ['Rare Earths'] }), vector, candidates: 55 });
        return (await q.execute(trx)).rows.length;
      });
    expect(await run('relaxed_order')).toBe(11); // limit 10, plus the look-ahead row
    expect(await run('off')).toBeLessThan(10);
  });

  it('keyword search uses the GIN index on tsv, with no built-in operator marked leakproof', async () => {
    const stats = await statsOf(rare);
    const p = await plan(keywordSearchQuery({ ...common(), text: rare, bm25, stats }), BITMAP);
    expect(p).toContain('chunks_tsv_gin');
    // The trust is confined to search.@@ (migration 0006); the built-in @@ keeps its default.
    const { rows } = await sql<{ leakproof: boolean }>`select proleakproof as leakproof from pg_proc
      where oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure`.execute(h.db);
    expect(rows[0]?.leakproof).toBe(false);
  });

  it('hybrid search uses both', async () => {
    const fusion = { fusion: 'rrf' as const, rrfK: 60, alpha: 0.5 };
    const hybrid = async (t: string) =>
      hybridQuery({
        ...common(),
        ...{ vector, text: t, window: 300, keywordWindow: 100, bm25, fusion, stats: await statsOf(t) },
      });
    expect(await plan(await hybrid(text), ORDERED)).toContain('chunks_embedding_hnsw');
    expect(await plan(await hybrid(rare), BITMAP)).toContain('chunks_tsv_gin');
  });
});
