import type { SearchFilters } from '@mna/shared';
import { type RawBuilder, sql } from 'kysely';

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

/** OR of the query's lexemes: ranking rewards documents matching more of them. */
export const keywordQuery = (text: string) =>
  sql`replace(plainto_tsquery('english', ${text})::text, ' & ', ' | ')::tsquery`;

/**
 * Every lexeme of the query (web-search syntax: quotes, `or`, `-`): hybrid's keyword leg, which must
 * stay selective because ranking costs one ts_rank_cd per matching chunk; the vector leg brings recall.
 */
export const strictKeywordQuery = (text: string) => sql`websearch_to_tsquery('english', ${text})`;

/** Normalisation 32 maps ts_rank_cd to rank / (rank + 1), in [0, 1). */
export const keywordRank = sql`ts_rank_cd(c.tsv, kq.q, 32)::float8`;

export type Boundary = { key: number; documentId: string } | null;

export type Row = {
  document_id: string;
  chunk_id: string;
  text: string;
  key: number;
  semantic: number | null;
  keyword: number | null;
  title: string;
  kind: string;
  metadata: Record<string, unknown>;
  candidates: number;
};

const documentColumns = sql`d.title, d.kind, d.metadata`;

/**
 * Semantic: the nearest chunks by cosine distance through the HNSW index (an iterative scan when
 * filters apply), materialised, then collapsed to each document's best chunk and re-sorted. Pages
 * continue after the boundary and skip documents that owned a chunk before it.
 */
export function semanticQuery(p: {
  conds: RawBuilder<unknown>;
  vector: string;
  /** Only chunks embedded by the query's model: vectors of two models are not comparable. */
  model: string;
  boundary: Boundary;
  candidates: number;
  limit: number;
  minScore?: number | undefined;
  tenantId: string;
}) {
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
      null::float8 as keyword, ${documentColumns}, (select count(*) from nearest)::int as candidates
    from best bt join search.documents d on d.id = bt.document_id and d.tenant_id = ${p.tenantId}
    where true
      ${b ? sql`and (bt.distance > ${b.key} or (bt.distance = ${b.key} and bt.document_id > ${b.documentId}::uuid))` : sql``}
      ${b ? sql`and not exists (select 1 from search.chunks c2 where c2.document_id = bt.document_id and c2.embedding_model = ${p.model} and (c2.embedding <=> ${q}) < ${b.key})` : sql``}
      ${p.minScore !== undefined ? sql`and 1 - bt.distance >= ${p.minScore}` : sql``}
    order by bt.distance, bt.document_id
    limit ${p.limit + 1}`;
}

/** Keyword: every chunk matching the OR-query through the GIN index, best chunk per document. */
export function keywordSearchQuery(p: {
  conds: RawBuilder<unknown>;
  text: string;
  boundary: Boundary;
  limit: number;
  minScore?: number | undefined;
  tenantId: string;
}) {
  const b = p.boundary;
  return sql<Row>`
    with kq as (select ${keywordQuery(p.text)} as q),
    best as (
      select distinct on (c.document_id) c.document_id, c.id as chunk_id, c.text, ${keywordRank} as rank
      from search.chunks c, kq
      where ${p.conds} and c.tsv operator(search.@@) kq.q
      order by c.document_id, ${keywordRank} desc, c.id
    )
    select bt.document_id, bt.chunk_id, bt.text, bt.rank as key, null::float8 as semantic,
      bt.rank as keyword, ${documentColumns}, 0 as candidates
    from best bt join search.documents d on d.id = bt.document_id and d.tenant_id = ${p.tenantId}
    where true
      ${b ? sql`and (bt.rank < ${b.key} or (bt.rank = ${b.key} and bt.document_id > ${b.documentId}::uuid))` : sql``}
      ${p.minScore !== undefined ? sql`and bt.rank >= ${p.minScore}` : sql``}
    order by bt.rank desc, bt.document_id
    limit ${p.limit + 1}`;
}

/**
 * Hybrid: the top `window` chunks of each leg, collapsed to documents and ranked, fused with
 * Reciprocal Rank Fusion (score = Σ 1 / (k + rank)); the snippet is the best semantic chunk, else
 * the best keyword chunk.
 */
export function hybridQuery(p: {
  conds: RawBuilder<unknown>;
  vector: string;
  model: string;
  text: string;
  boundary: Boundary;
  window: number;
  rrfK: number;
  limit: number;
  minScore?: number | undefined;
  tenantId: string;
}) {
  const q = sql`${p.vector}::halfvec(1536)`;
  const b = p.boundary;
  return sql<Row>`
    with kq as (select ${strictKeywordQuery(p.text)} as q),
    sem as materialized (
      select c.id, c.document_id, c.embedding <=> ${q} as distance
      from search.chunks c where ${p.conds} and c.embedding_model = ${p.model}
      order by c.embedding <=> ${q} limit ${p.window}
    ), kw as materialized (
      select c.id, c.document_id, ${keywordRank} as rank
      from search.chunks c, kq where ${p.conds} and c.tsv operator(search.@@) kq.q
      order by ${keywordRank} desc, c.id limit ${p.window}
    ), sem_docs as (
      select document_id, min(distance) as distance, (array_agg(id order by distance, id))[1] as chunk_id,
        row_number() over (order by min(distance), document_id) as r
      from sem group by document_id
    ), kw_docs as (
      select document_id, max(rank) as rank, (array_agg(id order by rank desc, id))[1] as chunk_id,
        row_number() over (order by max(rank) desc, document_id) as r
      from kw group by document_id
    ), fused as (
      select coalesce(s.document_id, k.document_id) as document_id,
        coalesce(s.chunk_id, k.chunk_id) as chunk_id,
        coalesce(1.0 / (${p.rrfK} + s.r), 0)::float8 + coalesce(1.0 / (${p.rrfK} + k.r), 0)::float8 as score,
        1 - s.distance as semantic, k.rank as keyword
      from sem_docs s full join kw_docs k on k.document_id = s.document_id
    ), page as (
      select * from fused f
      where true
        ${b ? sql`and (f.score < ${b.key} or (f.score = ${b.key} and f.document_id > ${b.documentId}::uuid))` : sql``}
        ${p.minScore !== undefined ? sql`and f.score >= ${p.minScore}` : sql``}
      order by f.score desc, f.document_id
      limit ${p.limit + 1}
    )
    -- The page's snippets and documents are looked up after the limit: a few index probes.
    select f.document_id, f.chunk_id, c.text, f.score as key, f.semantic, f.keyword,
      ${documentColumns}, 0 as candidates
    from page f
      join search.chunks c on c.id = f.chunk_id and c.tenant_id = ${p.tenantId}
      join search.documents d on d.id = f.document_id and d.tenant_id = ${p.tenantId}
    order by f.score desc, f.document_id
    limit ${p.limit + 1}`;
}
