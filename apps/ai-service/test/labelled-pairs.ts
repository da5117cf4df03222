import type { Company, Relationship } from '@mna/shared';
import { DEFAULT_PARTNER_WEIGHTS } from '../src/config.js';
import { pagerankOf, seededRandom } from '../src/modules/ecosystem/centrality.js';
import { buildGraph, nodeOf } from '../src/modules/ecosystem/graph.js';
import { scoreCandidates } from '../src/modules/ecosystem/partners.candidates.js';
import { profileSimilarity } from './search-stand-in.js';

export type Ecosystem = { companies: Company[]; edges: Relationship[] };
export type LabelledPair = { a: Company; b: Company; compatible: boolean; score: number };
export type Label = { a: Company; b: Company; compatible: boolean };

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Scores each labelled pair for a partnership exactly as the service scores candidates, on the graph
 * without any tie between a labelled pair (so a real tie cannot give the answer away).
 */
export function scoreLabels<L extends Label>(eco: Ecosystem, labels: L[]): Array<L & { score: number }> {
  const heldOut = new Set(labels.map(({ a, b }) => pairKey(a.id, b.id)));
  const graph = buildGraph({
    nodes: eco.companies,
    edges: eco.edges.filter((e) => !heldOut.has(pairKey(e.fromCompanyId, e.toCompanyId))),
  });
  const pagerank = pagerankOf(graph);
  const score = (a: Company, b: Company) =>
    scoreCandidates({
      companyId: a.id,
      company: nodeOf(a),
      goal: 'partnership',
      weights: DEFAULT_PARTNER_WEIGHTS.partnership,
      model: null,
      graph,
      pagerank,
      similarity: new Map([[b.id, profileSimilarity(a, b)]]),
      extra: new Map(),
    }).find((c) => c.companyId === b.id)!.score;
  return labels.map((l) => ({ ...l, score: score(l.a, l.b) }));
}

/**
 * Labelled pairs of a generated ecosystem: `positives` are real ties (held out), negatives are random
 * pairs with no tie. Sound where the generator forms every tie from the same signals the score reads;
 * for real data "no tie" is not "incompatible", so the demo set is labelled by judgement instead.
 */
export function labelledPairs(
  eco: Ecosystem,
  positives: Array<readonly [Company, Company]>,
  negativeCount: number,
  seed: number,
): LabelledPair[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const tied = new Set(eco.edges.map((e) => pairKey(e.fromCompanyId, e.toCompanyId)));
  const negatives: Array<readonly [Company, Company]> = [];
  const chosen = new Set<string>();
  while (negatives.length < negativeCount) {
    const [a, b] = [pick(eco.companies), pick(eco.companies)];
    const key = pairKey(a.id, b.id);
    if (a.id === b.id || tied.has(key) || chosen.has(key)) continue;
    chosen.add(key);
    negatives.push([a, b]);
  }
  return scoreLabels(eco, [
    ...positives.map(([a, b]) => ({ a, b, compatible: true })),
    ...negatives.map(([a, b]) => ({ a, b, compatible: false })),
  ]);
}

/** Random real ties of an ecosystem, to hold out as positives. */
export function sampleTies(eco: Ecosystem, count: number, seed: number): Array<readonly [Company, Company]> {
  const random = seededRandom(seed);
  const byId = new Map(eco.companies.map((c) => [c.id, c]));
  const chosen = new Map<string, readonly [Company, Company]>();
  while (chosen.size < count) {
    const e = eco.edges[Math.floor(random() * eco.edges.length)]!;
    chosen.set(pairKey(e.fromCompanyId, e.toCompanyId), [
      byId.get(e.fromCompanyId)!,
      byId.get(e.toCompanyId)!,
    ]);
  }
  return [...chosen.values()];
}

/** The threshold that best separates the classes of a calibration set. */
export function bestThreshold(pairs: LabelledPair[]): number {
  const candidates = [...new Set(pairs.map((p) => p.score))].sort((x, y) => x - y);
  let best = { threshold: 0.5, accuracy: 0 };
  for (const threshold of candidates) {
    const accuracy = accuracyAt(pairs, threshold);
    if (accuracy > best.accuracy) best = { threshold, accuracy };
  }
  return best.threshold;
}

export const accuracyAt = (pairs: LabelledPair[], threshold: number) =>
  pairs.filter((p) => p.score >= threshold === p.compatible).length / pairs.length;
