import type { SearchFilters } from '@mna/shared';
import { type RawBuilder, sql } from 'kysely';
import { type Bm25Params, bm25Ctes, bm25Match, bm25Score, type TermStats } from './bm25.sql.js';

/** Conditions on chunk alias `c`: the tenant, the snapshot and every requested filter. */
export function chunkConditions(tenantId: string, snapshot: Date, filters: SearchFilters = {}) {
  const conds: RawBuilder<unknown>[] = [sql`c.tenant_id = ${tenantId}`, sql`c.created_at <= ${snapshot}`];
  if (filters.kind) conds.push(sql`c.kind = any(${filters.kind}::text[])`);
  if (filters.industry) conds.push(sql`c.industry = any(${filters.industry}::text[])`);
  if (filters.region) conds.push(sql`c.region = any(${filters.region}::text[])`);
  if (filters.tags) conds.push(sql`c.tags && ${filters.tags}::text[]`);
  if (filters.companyId) conds.push(sql`c.company_id = ${filters.companyId}::uuid`);
  if (filters.dealSizeUsd?.min !== undefined) conds.push(sql`c.deal_size_usd >= ${filters.dealSizeUsd.min}`);
  if (filters.dealSizeUsd?.max !== undefined) conds.push(sql`c.deal_size_usd <= ${filters.dealSizeUsd.max}`);
  if (filters.publishedAfter) conds.push(sql`c.published_at >= ${filters.publishedAfter}::timestamptz`);
  if (filters.publishedBefore) conds.push(sql`c.published_at < ${filters.publishedBefore}::timestamptz`);
  return sql.join(conds, sql` and `);
}

export type Boundary = { key: number; documentId: string } | null;

/** What every mode's page query takes: its conditions, the page boundary, size and score floor. */
export type PageParams = {
  conds: RawBuilder<unknown>;
  boundary: Boundary;
  limit: number;
  minScore?: number | undefined;
  tenantId: string;
};

export type Row = {
  document_id: string;
  chunk_id: string;
  text: string;
  key: number;
  semantic: number | null;
  keyword: number | null;
  /** Hybrid: the document's rank in each leg's window (null when outside it). */
  semantic_rank: number | null;
  keyword_rank: number | null;
  /** The chunk whose BM25 score is `keyword` (hybrid's snippet chunk may be the semantic one). */
  keyword_chunk_id: string | null;
  title: string;
  kind: string;
  metadata: Record<string, unknown>;
  candidates: number;
};

/** The page's document columns (alias `d`), selected by every mode. */
export const documentColumns = sql`d.title, d.kind, d.metadata`;

/**
 * Semantic: the nearest chunks by cosine distance through the HNSW index (an iterative scan when
 * filters apply), materialised, then collapsed to each document's best chunk and re-sorted. Pages
 * continue after the boundary and skip documents that owned a chunk before it.
 */
export function semanticQuery(
  p: PageParams & {
    vector: string;
    /** Only chunks embedded by the query's model: vectors of two models are not comparable. */
    model: string;
    candidates: number;
  },
) {
  const q = sql`${p.vector}::halfvec(1536)`;
  const b = p.boundary;
  return sql<Row>`
    with nearest as materialized (
      select c.id, c.document_id, c.text, c.embedding <=> ${q} as distance
      from search.chunks c
      where ${p.conds} and c.embedding_model = ${p.model} ${b ? sql`and (c.embedding <=> ${q}) >= ${b.key}` : sql``}
      order by c.embedding <=> ${q}
      limit ${p.candidates}
    ), best as (
      select distinct on (document_id) document_id, id as chunk_id, text, distance
      from nearest order by document_id, distance, id
    )
    select bt.document_id, bt.chunk_id, bt.text, bt.distance as key, 1 - bt.distance as semantic,
      null::float8 as keyword, null::int as semantic_rank, null::int as keyword_rank,
      null::uuid as keyword_chunk_id, ${documentColumns}, (select count(*) from nearest)::int as candidates
    from best bt join search.documents d on d.id = bt.document_id and d.tenant_id = ${p.tenantId}
    where true
      ${b ? sql`and (bt.distance > ${b.key} or (bt.distance = ${b.key} and bt.document_id > ${b.documentId}::uuid))` : sql``}
      ${b ? sql`and not exists (select 1 from search.chunks c2 where c2.document_id = bt.document_id and c2.embedding_model = ${p.model} and (c2.embedding <=> ${q}) < ${b.key})` : sql``}
      ${p.minScore !== undefined ? sql`and 1 - bt.distance >= ${p.minScore}` : sql``}
    order by bt.distance, bt.document_id
    limit ${p.limit + 1}`;
}

/**
 * Keyword: BM25 over every chunk holding one of the query's lexemes (found through the GIN index),
 * best chunk per document.
 */
export function keywordSearchQuery(p: PageParams & { text: string; bm25: Bm25Params; stats: TermStats }) {
  const b = p.boundary;
  // First pages prune to their top limit + 1 documents; later pages score every match.
  const prune = b ? null : { k: p.limit + 1, perDocument: true, conds: p.conds };
  return sql<Row>`
    with ${bm25Ctes(p.text, p.stats, { params: p.bm25, prune })},
    scored as materialized (
      select c.id, c.document_id, c.text, ${bm25Score(p.bm25)} as rank
      from search.chunks c, kq, tot
      where ${p.conds} and ${bm25Match}
    ), best as (
      select distinct on (document_id) document_id, id as chunk_id, text, rank
      from scored order by document_id, rank desc, id
    )
    select bt.document_id, bt.chunk_id, bt.text, bt.rank as key, null::float8 as semantic,
      bt.rank as keyword, null::int as semantic_rank, null::int as keyword_rank,
      bt.chunk_id as keyword_chunk_id, ${documentColumns}, 0 as candidates
    from best bt join search.documents d on d.id = bt.document_id and d.tenant_id = ${p.tenantId}
    where true
      ${b ? sql`and (bt.rank < ${b.key} or (bt.rank = ${b.key} and bt.document_id > ${b.documentId}::uuid))` : sql``}
      ${p.minScore !== undefined ? sql`and bt.rank >= ${p.minScore}` : sql``}
    order by bt.rank desc, bt.document_id
    limit ${p.limit + 1}`;
}
