import type { ServiceClient } from '@mna/shared';
import pg from 'pg';
import { bm25Rankings, postgresLexemes, type Tokenised, tfidfRankings, winkTokens } from './baselines.js';
import { type Collection, documentText, splitOf } from './collection.js';
import { meanOverlap, ndcgByQuery, type Rankings, type ScoresBySplit, scoreRankings } from './metrics.js';
import { ingestCollection, RESULTS_PER_QUERY, searchRankings, type Variant } from './platform.js';

export type RankingReport = {
  ranking: string;
  source: 'platform' | 'baseline';
  scores: ScoresBySplit;
  /** nDCG@10 of each query, in the collection's query order (for paired comparisons). */
  ndcgByQuery: number[];
};

export type CollectionReport = {
  collection: string;
  documents: number;
  queries: { dev: number; 'held-out': number };
  ingestSeconds: number;
  rankings: RankingReport[];
  /** Mean top-10 overlap of the product's keyword mode with the reference BM25 on PostgreSQL's lexemes. */
  keywordOverlapWithReference: number | null;
};

export const BASELINES = {
  tfidf: 'TF-IDF cosine (wink tokens)',
  wink: 'BM25 wink-bm25-text-search (wink tokens)',
  winkPg: 'BM25 wink-bm25-text-search (PostgreSQL lexemes)',
} as const;

/**
 * One collection, in one run on one corpus: filed through the API into its own tenant and searched
 * with every variant, then ranked by the baselines over the same text (documentText: title, content,
 * tags, industry, region), all scored on the same judgments.
 */
export async function evaluateCollection(options: {
  client: ServiceClient;
  /** A database connection used only for to_tsvector (PostgreSQL's own lexemes). */
  postgresUrl: string;
  tenantId: string;
  collection: Collection;
  variants: Variant[];
  log?: (line: string) => void;
}): Promise<CollectionReport> {
  const { client, collection, tenantId } = options;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const externalIds = await ingestCollection(client, tenantId, collection.documents);
  const ingestSeconds = (performance.now() - started) / 1000;
  log(
    `${collection.name}: ${collection.documents.length} documents indexed in ${ingestSeconds.toFixed(1)} s`,
  );

  const rankings: RankingReport[] = [];
  const platform = new Map<string, Rankings>();
  for (const variant of options.variants) {
    const ranked = await searchRankings(client, tenantId, collection, externalIds, variant);
    platform.set(variant.label, ranked);
    rankings.push({
      ranking: variant.label,
      source: 'platform',
      scores: scoreRankings(collection, ranked),
      ndcgByQuery: ndcgByQuery(collection, ranked),
    });
    log(`${collection.name}: ${variant.label} searched`);
  }

  const texts = collection.documents.map(documentText);
  const docIds = collection.documents.map((d) => d.externalId);
  const tokenised = (ids: string[], tokens: string[][]): Tokenised[] =>
    ids.map((id, i) => ({ id, tokens: tokens[i]! }));
  const queryIds = collection.queries.map((q) => q.id);
  const queryTexts = collection.queries.map((q) => q.text);
  const winkDocs = tokenised(docIds, texts.map(winkTokens));
  const winkQueries = tokenised(queryIds, queryTexts.map(winkTokens));
  const db = new pg.Client({ connectionString: options.postgresUrl });
  await db.connect();
  let pgDocs: Tokenised[];
  let pgQueries: Tokenised[];
  try {
    pgDocs = tokenised(docIds, await postgresLexemes(db, texts));
    pgQueries = tokenised(queryIds, await postgresLexemes(db, queryTexts));
  } finally {
    await db.end();
  }
  const reference = bm25Rankings(pgDocs, pgQueries, RESULTS_PER_QUERY);
  const baselines: Array<[string, Rankings]> = [
    [BASELINES.tfidf, tfidfRankings(winkDocs, winkQueries, RESULTS_PER_QUERY)],
    [BASELINES.wink, bm25Rankings(winkDocs, winkQueries, RESULTS_PER_QUERY)],
    [BASELINES.winkPg, reference],
  ];
  for (const [ranking, ranked] of baselines)
    rankings.push({
      ranking,
      source: 'baseline',
      scores: scoreRankings(collection, ranked),
      ndcgByQuery: ndcgByQuery(collection, ranked),
    });

  const keyword = platform.get('keyword');
  const count = (split: 'dev' | 'held-out') =>
    collection.queries.filter((q) => splitOf(collection.name, q.id) === split).length;
  return {
    collection: collection.name,
    documents: collection.documents.length,
    queries: { dev: count('dev'), 'held-out': count('held-out') },
    ingestSeconds,
    rankings,
    keywordOverlapWithReference: keyword ? meanOverlap(collection, keyword, reference) : null,
  };
}

/** The report as a Markdown table: each cell is "dev / held-out". */
export function formatReport(report: CollectionReport): string {
  const cell = (r: RankingReport, key: 'ndcg10' | 'p10' | 'recall100' | 'hit10') =>
    `${r.scores.dev[key].toFixed(3)} / ${r.scores['held-out'][key].toFixed(3)}`;
  const lines = [
    `${report.collection}: ${report.documents} documents, ${report.queries.dev} dev + ${report.queries['held-out']} held-out queries (cells: dev / held-out)`,
    '| ranking | nDCG@10 | P@10 | R@100 | hit@10 | nDCG@10 all |',
    '|---|---|---|---|---|---|',
    ...report.rankings.map(
      (r) =>
        `| ${r.source === 'platform' ? `platform ${r.ranking}` : r.ranking} | ${cell(r, 'ndcg10')} | ${cell(r, 'p10')} | ${cell(r, 'recall100')} | ${cell(r, 'hit10')} | ${r.scores.all.ndcg10.toFixed(3)} |`,
    ),
  ];
  if (report.keywordOverlapWithReference !== null)
    lines.push(
      `mean top-10 overlap, platform keyword vs BM25 on PostgreSQL lexemes: ${report.keywordOverlapWithReference.toFixed(3)}`,
    );
  return lines.join('\n');
}
