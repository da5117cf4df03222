import { type Collection, type Split, splitOf } from './collection.js';

/** A ranked list of externalIds per query id: what one ranking (a mode, a baseline) returned. */
export type Rankings = Map<string, string[]>;

export type Scores = { queries: number; ndcg10: number; p10: number; recall100: number; hit10: number };
export type ScoresBySplit = Record<Split | 'all', Scores>;

const dcg = (gains: number[]) => gains.reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);

/** nDCG@k with linear graded gains (trec_eval's and BEIR's definition); the ideal is over every judged document. */
export function ndcgAt(ranked: string[], relevant: Record<string, number>, k = 10): number {
  const ideal = dcg(
    Object.values(relevant)
      .sort((a, b) => b - a)
      .slice(0, k),
  );
  return ideal > 0 ? dcg(ranked.slice(0, k).map((id) => relevant[id] ?? 0)) / ideal : 0;
}

const relevantIn = (ranked: string[], relevant: Record<string, number>, k: number) =>
  ranked.slice(0, k).filter((id) => (relevant[id] ?? 0) > 0).length;

/** Relevant documents among the first k, over k (a short list counts its missing places as misses). */
export const precisionAt = (ranked: string[], relevant: Record<string, number>, k = 10) =>
  relevantIn(ranked, relevant, k) / k;

/** Relevant documents among the first k, over all relevant documents. */
export const recallAt = (ranked: string[], relevant: Record<string, number>, k = 100) =>
  relevantIn(ranked, relevant, k) / Math.max(1, Object.values(relevant).filter((g) => g > 0).length);

/** 1 when a relevant document is among the first k. */
export const hitAt = (ranked: string[], relevant: Record<string, number>, k = 10) =>
  relevantIn(ranked, relevant, k) > 0 ? 1 : 0;

/** |top-k(a) ∩ top-k(b)| / the longer of the two top-k lists (1 when both are empty). */
export function overlapAt(a: string[], b: string[], k = 10): number {
  const top = new Set(a.slice(0, k));
  const denominator = Math.max(Math.min(k, a.length), Math.min(k, b.length));
  return denominator ? b.slice(0, k).filter((id) => top.has(id)).length / denominator : 1;
}

/** nDCG@10 of every query, in the collection's order. */
export const ndcgByQuery = (collection: Collection, rankings: Rankings): number[] =>
  collection.queries.map((q) => ndcgAt(rankings.get(q.id) ?? [], q.relevant));

/**
 * Paired comparison of two rankings' per-query scores: the mean of a − b and its standard error
 * (sample standard deviation of the differences over √n). A mean below −2 standard errors is a drop
 * a small query sample can still tell from noise (a one-sided paired test at roughly 2.5 %).
 */
export function pairedDifference(a: number[], b: number[]): { mean: number; standardError: number } {
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / Math.max(1, n);
  const variance = n > 1 ? d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, standardError: Math.sqrt(variance / Math.max(1, n)) };
}

/** Mean of each metric over the collection's queries, for each split and for all of them. */
export function scoreRankings(collection: Collection, rankings: Rankings): ScoresBySplit {
  const sums = { dev: empty(), 'held-out': empty(), all: empty() };
  for (const q of collection.queries) {
    const ranked = rankings.get(q.id) ?? [];
    for (const s of [sums[splitOf(collection.name, q.id)], sums.all]) {
      s.queries++;
      s.ndcg10 += ndcgAt(ranked, q.relevant);
      s.p10 += precisionAt(ranked, q.relevant);
      s.recall100 += recallAt(ranked, q.relevant);
      s.hit10 += hitAt(ranked, q.relevant);
    }
  }
  const mean = (s: Scores): Scores => {
    const n = Math.max(1, s.queries);
    return {
      queries: s.queries,
      ndcg10: s.ndcg10 / n,
      p10: s.p10 / n,
      recall100: s.recall100 / n,
      hit10: s.hit10 / n,
    };
  };
  return { dev: mean(sums.dev), 'held-out': mean(sums['held-out']), all: mean(sums.all) };
}

/** Mean top-k overlap of two rankings over the collection's queries. */
export function meanOverlap(collection: Collection, a: Rankings, b: Rankings, k = 10): number {
  const values = collection.queries.map((q) => overlapAt(a.get(q.id) ?? [], b.get(q.id) ?? [], k));
  return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
}

function empty(): Scores {
  return { queries: 0, ndcg10: 0, p10: 0, recall100: 0, hit10: 0 };
}
