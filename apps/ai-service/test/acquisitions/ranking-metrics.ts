import { seededRandom } from '../../src/modules/ecosystem/centrality.js';
import { cosine, tfIdfVectors } from '../../src/modules/ecosystem/partners.text.js';
import type { CompanyProfile, Task } from './crunchbase.js';
import { stableHash } from './crunchbase.js';

export type Metrics = { p10: number; p50: number; auc: number; tasks: number };

/**
 * Precision@k and ROC AUC of one ranking over `candidates`: `ranked` is best first; candidates it
 * leaves out tie below every ranked one (a tie counts half in the AUC).
 */
export function rankingMetrics(ranked: string[], candidates: Set<string>, relevant: Set<string>) {
  const order = ranked.filter((id) => candidates.has(id));
  const precision = (k: number) => order.slice(0, k).filter((id) => relevant.has(id)).length / k;
  const positives = [...relevant].filter((id) => candidates.has(id)).length;
  const negatives = candidates.size - positives;
  let negativesAbove = 0;
  let pairs = 0;
  for (const id of order) {
    if (relevant.has(id)) pairs += negatives - negativesAbove;
    else negativesAbove++;
  }
  // Unranked positives sit with the unranked negatives: half of each such pair.
  const unrankedPositives = positives - order.filter((id) => relevant.has(id)).length;
  pairs += unrankedPositives * (negatives - negativesAbove) * 0.5;
  const auc = positives && negatives ? pairs / (positives * negatives) : 0.5;
  return { p10: precision(10), p50: precision(50), auc };
}

/** Macro-average over tasks. */
export function average(rows: Array<Omit<Metrics, 'tasks'>>): Metrics {
  const mean = (k: 'p10' | 'p50' | 'auc') => rows.reduce((s, r) => s + r[k], 0) / (rows.length || 1);
  const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
  return { p10: r4(mean('p10')), p50: r4(mean('p50')), auc: r4(mean('auc')), tasks: rows.length };
}

/** The companies a task ranks: all of the tenant but the acquirer and what it already owns. */
export const candidatesOf = (companies: string[], task: Task) =>
  new Set(companies.filter((c) => c !== task.acquirer && !task.owned.has(c)));

const termsOf = (p: CompanyProfile) =>
  p.tags.flatMap((t) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1);

const byScore = (scores: Map<string, number>) =>
  [...scores].sort((a, b) => b[1] - a[1] || (stableHash(a[0]) < stableHash(b[0]) ? -1 : 1)).map(([id]) => id);

/**
 * The naive baselines, each a ranking function of a task: random (seeded), TF-IDF cosine of the
 * acquirer's own profile (its categories) with each company's, category overlap (Jaccard), and the
 * acquirer's known acquisitions' TF-IDF profile (max cosine), which uses the same ties as the product.
 */
export function baselines(profiles: Map<string, CompanyProfile>, companies: string[], seed = 2015) {
  const vectors = tfIdfVectors(new Map(companies.map((c) => [c, termsOf(profiles.get(c)!)])));
  const tagSet = (c: string) => new Set(profiles.get(c)!.tags.map((t) => t.toLowerCase()));
  return {
    random: (task: Task) => {
      const random = seededRandom(seed + stableHash(task.acquirer).charCodeAt(0));
      return byScore(new Map([...candidatesOf(companies, task)].map((c) => [c, random()])));
    },
    tfidf: (task: Task) => {
      const own = vectors.get(task.acquirer)!;
      return byScore(
        new Map([...candidatesOf(companies, task)].map((c) => [c, cosine(own, vectors.get(c)!)])),
      );
    },
    categoryOverlap: (task: Task) => {
      const own = tagSet(task.acquirer);
      return byScore(
        new Map(
          [...candidatesOf(companies, task)].map((c) => {
            const other = tagSet(c);
            const shared = [...own].filter((t) => other.has(t)).length;
            const union = own.size + other.size - shared;
            return [c, union ? shared / union : 0];
          }),
        ),
      );
    },
    tfidfPortfolio: (task: Task) => {
      const owned = [...task.owned].map((o) => vectors.get(o)!);
      return byScore(
        new Map(
          [...candidatesOf(companies, task)].map((c) => [
            c,
            Math.max(0, ...owned.map((v) => cosine(v, vectors.get(c)!))),
          ]),
        ),
      );
    },
  };
}
