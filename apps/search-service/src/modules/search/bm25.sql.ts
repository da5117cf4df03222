import { type RawBuilder, sql } from 'kysely';

/** BM25's free parameters: term-frequency saturation (k1) and length normalisation (b). */
export type Bm25Params = { k1: number; b: number };

/**
 * The tenant's statistics for a query (migration 0010), read once per search and carried in its
 * cursor, so every page of one search ranks with the same IDF and average length while documents
 * come and go: chunk count, total length, and the df of each of the query's distinct lexemes in
 * `queryLexemes` order (0 when unknown).
 */
export type TermStats = { n: number; total: number; df: number[] };

/** The query's distinct lexemes, sorted (tsvector_to_array's order): the order of `TermStats.df`. */
const queryLexemes = (text: string) => sql`tsvector_to_array(to_tsvector('english', ${text}))`;

export function termStatsQuery(text: string, tenantId: string) {
  const totals = sql`search.tenant_term_totals t where t.tenant_id = ${tenantId}`;
  return sql<TermStats>`select
    coalesce((select t.chunk_count from ${totals}), 0)::float8 as n,
    coalesce((select t.total_length from ${totals}), 0)::float8 as total,
    array(select coalesce(s.df, 0) from unnest(${queryLexemes(text)}) with ordinality l(lexeme, i)
      left join search.term_stats s on s.tenant_id = ${tenantId} and s.lexeme = l.lexeme
      order by l.i) as df`;
}

/** A lexeme as a tsquery operand: quoted, its quotes and backslashes escaped. */
const quotedLexeme = sql`'''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || ''''`;

/**
 * Exact top-k pruning (MaxScore): a term adds at most idf · (k1 + 1). The chunks holding the rarest
 * terms (df summing to k) are scored first; θ is the k-th best of those scores (per chunk, or per
 * document's best chunk). The lowest-bound terms whose bounds sum below θ are then left out of the
 * GIN query: a chunk holding only those scores below θ, so it cannot enter the top k; every chunk
 * that is still matched is scored with all terms. `conds` are the query's own conditions.
 */
export type Bm25Prune = { k: number; perDocument: boolean; conds: RawBuilder<unknown> };

function pruneCtes(p: Bm25Params, prune: Bm25Prune) {
  const unitScores = prune.perDocument
    ? sql`select max(s) as s from seed group by document_id`
    : sql`select s from seed`;
  return sql`, seed_terms as (
      select x.lexeme from (select lexeme, sum(df) over (order by df, lexeme) - df as before from terms) x
      where x.before < ${prune.k}
    ), seed as materialized (
      select c.document_id, ${bm25Score(p)} as s
      from search.chunks c, tot,
        (select string_agg(${quotedLexeme}, ' | ')::tsquery as q from terms
         where lexeme in (select lexeme from seed_terms)) sq
      where ${prune.conds} and c.tsv operator(search.@@) sq.q
    ), theta as (
      select coalesce((select x.s from (${unitScores}) x order by x.s desc offset ${prune.k - 1} limit 1), 0) as t
    ), pruned as (
      select x.lexeme from theta, (
        select lexeme, sum(idf) over (order by idf, lexeme) * ${p.k1 + 1}::float8 as bound from terms
        where lexeme not in (select lexeme from seed_terms)
      ) x where x.bound < theta.t
    )`;
}

/**
 * CTEs every BM25 query starts with (after `with`): `terms` (the query's lexemes that occur in the
 * tenant, with df and idf = ln(1 + (n − df + 0.5) / (df + 0.5))), `tot` (average length, and `lex`,
 * the lexemes) and `kq` (the OR of the lexemes, less the pruned ones, as a tsquery for the GIN
 * index). A query with no known lexeme leaves `kq.q` null and matches nothing.
 */
export function bm25Ctes(
  text: string,
  stats: TermStats,
  p?: { params: Bm25Params; prune: Bm25Prune | null },
): RawBuilder<unknown> {
  const prune = p?.prune ? pruneCtes(p.params, p.prune) : sql``;
  return sql`terms as materialized (
      select l.lexeme, l.df, ln(1 + (${stats.n}::float8 - l.df + 0.5) / (l.df + 0.5)) as idf
      from unnest(${queryLexemes(text)}, ${stats.df}::int[]) l(lexeme, df)
      where l.df > 0
    ), tot as (
      select greatest(${stats.total}::float8 / greatest(${stats.n}::float8, 1), 1) as avglen,
        (select array_agg(lexeme) from terms) as lex
    )${prune}, kq as (
      select string_agg(${quotedLexeme}, ' | ')::tsquery as q from terms
      ${p?.prune ? sql`where lexeme not in (select lexeme from pruned)` : sql``}
    )`;
}

/**
 * The query's lexemes in chunk `c` with their term frequency: `setweight` marks them (a binary search
 * per lexeme) and `ts_filter` keeps only them, so a long chunk is never unnested whole.
 */
const matchedTerms = sql`(select u.lexeme, coalesce(array_length(u.positions, 1), 1)::float8 as tf
  from unnest(ts_filter(setweight(c.tsv, 'A', tot.lex), '{a}')) u)`;

/** One term's BM25 contribution in chunk `c` (needs `f.tf`, `t.idf`, `tot.avglen`). */
const contribution = (p: Bm25Params) =>
  sql`t.idf * f.tf * ${p.k1 + 1}::float8
    / (f.tf + ${p.k1}::float8 * (1 - ${p.b}::float8 + ${p.b}::float8 * c.term_count / tot.avglen))`;

/** BM25 score of chunk `c` for the query of `bm25Ctes` (with `tot` in the FROM list). */
export const bm25Score = (p: Bm25Params) =>
  sql`(select sum(${contribution(p)}) from ${matchedTerms} f join terms t on t.lexeme = f.lexeme)`;

/** A chunk matches when it holds one of the query's lexemes: the GIN index on tsv (see 0006). */
export const bm25Match = sql`c.tsv operator(search.@@) kq.q`;

export type ExplainRow = {
  chunk_id: string;
  semantic: number | null;
  terms: Array<{ term: string; contribution: number }>;
};

/**
 * Per chunk of a result page: each matched query term with its BM25 contribution (largest first) and,
 * when the query vector is known, the chunk's cosine similarity to it.
 */
export function explainQuery(p: {
  params: Bm25Params;
  text: string;
  stats: TermStats;
  tenantId: string;
  chunkIds: string[];
  /** The query vector and its model: a chunk of another model has no comparable similarity. */
  vector: { literal: string; model: string } | null;
}) {
  const semantic = p.vector
    ? sql`case when c.embedding_model = ${p.vector.model} then 1 - (c.embedding <=> ${p.vector.literal}::halfvec(1536)) end`
    : sql`null::float8`;
  return sql<ExplainRow>`
    with ${bm25Ctes(p.text, p.stats)}
    select c.id as chunk_id, ${semantic} as semantic,
      coalesce((
        select jsonb_agg(jsonb_build_object('term', x.term, 'contribution', x.contribution)
          order by x.contribution desc, x.term)
        from (select t.lexeme as term, ${contribution(p.params)} as contribution
          from ${matchedTerms} f join terms t on t.lexeme = f.lexeme) x
      ), '[]'::jsonb) as terms
    from search.chunks c, tot
    where c.tenant_id = ${p.tenantId} and c.id = any(${p.chunkIds}::uuid[])`;
}
