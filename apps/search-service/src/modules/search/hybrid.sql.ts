import type { SearchFusion } from '@mna/shared';
import { sql } from 'kysely';
import { type Bm25Params, bm25Ctes, bm25Match, bm25Score, type TermStats } from './bm25.sql.js';
import { documentColumns, type PageParams, type Row } from './search.sql.js';

/** How hybrid fuses its legs: RRF's constant k, and convex fusion's weight α of the semantic leg. */
export type FusionParams = { fusion: SearchFusion; rrfK: number; alpha: number };

/**
 * RRF: Σ 1 / (k + rank). Convex: α·sem + (1 − α)·kw, each leg min-max normalised over its window's
 * documents (a document outside a leg's window scores 0 there; a leg whose window holds one value
 * normalises it to 1).
 */
function fusedScore(p: FusionParams) {
  if (p.fusion === 'rrf')
    return sql`coalesce(1.0 / (${p.rrfK} + s.r), 0)::float8 + coalesce(1.0 / (${p.rrfK} + k.r), 0)::float8`;
  return sql`${p.alpha}::float8 * case when s.document_id is null then 0
      else coalesce((s.dmax - s.distance) / nullif(s.dmax - s.dmin, 0), 1) end
    + (1 - ${p.alpha}::float8) * case when k.document_id is null then 0
      else coalesce((k.rank - k.kmin) / nullif(k.kmax - k.kmin, 0), 1) end`;
}

/**
 * Hybrid: the top `window` chunks by cosine distance (HNSW) and the top `keywordWindow` by BM25
 * (GIN, the same query semantics as keyword mode; a smaller window prunes more, see Bm25Prune), collapsed to documents and ranked, then fused; the snippet is
 * the best semantic chunk, else the best keyword chunk.
 */
export function hybridQuery(
  p: PageParams & {
    vector: string;
    /** Only chunks embedded by the query's model: vectors of two models are not comparable. */
    model: string;
    text: string;
    bm25: Bm25Params;
    stats: TermStats;
    fusion: FusionParams;
    window: number;
    keywordWindow: number;
  },
) {
  const q = sql`${p.vector}::halfvec(1536)`;
  const b = p.boundary;
  return sql<Row>`
    with ${bm25Ctes(p.text, p.stats, { params: p.bm25, prune: { k: p.keywordWindow, perDocument: false, conds: p.conds } })},
    sem as materialized (
      select c.id, c.document_id, c.embedding <=> ${q} as distance
      from search.chunks c where ${p.conds} and c.embedding_model = ${p.model}
      order by c.embedding <=> ${q} limit ${p.window}
    ), kw as materialized (
      select c.id, c.document_id, ${bm25Score(p.bm25)} as rank
      from search.chunks c, kq, tot where ${p.conds} and ${bm25Match}
      order by 3 desc, c.id limit ${p.keywordWindow}
    ), sem_ranked as (
      select document_id, min(distance) as distance, (array_agg(id order by distance, id))[1] as chunk_id,
        row_number() over (order by min(distance), document_id) as r
      from sem group by document_id
    ), sem_docs as (
      select *, min(distance) over () as dmin, max(distance) over () as dmax from sem_ranked
    ), kw_ranked as (
      select document_id, max(rank) as rank, (array_agg(id order by rank desc, id))[1] as chunk_id,
        row_number() over (order by max(rank) desc, document_id) as r
      from kw group by document_id
    ), kw_docs as (
      select *, min(rank) over () as kmin, max(rank) over () as kmax from kw_ranked
    ), fused as (
      select coalesce(s.document_id, k.document_id) as document_id,
        coalesce(s.chunk_id, k.chunk_id) as chunk_id,
        ${fusedScore(p.fusion)} as score,
        1 - s.distance as semantic, k.rank as keyword, s.r::int as semantic_rank, k.r::int as keyword_rank,
        k.chunk_id as keyword_chunk_id
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
      f.semantic_rank, f.keyword_rank, f.keyword_chunk_id, ${documentColumns}, 0 as candidates
    from page f
      join search.chunks c on c.id = f.chunk_id and c.tenant_id = ${p.tenantId}
      join search.documents d on d.id = f.document_id and d.tenant_id = ${p.tenantId}
    order by f.score desc, f.document_id
    limit ${p.limit + 1}`;
}
