import type { Company } from '@mna/shared';
import { DEFAULT_PARTNER_WEIGHTS } from '../src/config.js';
import { pagerankOf, seededRandom } from '../src/modules/ecosystem/centrality.js';
import { buildGraph, nodeOf } from '../src/modules/ecosystem/graph.js';
import { scoreCandidates } from '../src/modules/ecosystem/partners.service.js';
import { profileSimilarity } from './search-stand-in.js';
import type { SyntheticEcosystem } from './synthetic-ecosystem.js';

export type LabelledPair = { a: Company; b: Company; compatible: boolean; score: number };

/**
 * Labelled pairs from an ecosystem: `compatible` pairs are real ties held out of the graph before
 * scoring (so the tie itself cannot give the answer away), the others random pairs with no tie.
 * Each pair is scored for a partnership exactly as the service scores candidates.
 */
export function labelledPairs(eco: SyntheticEcosystem, perClass: number, seed: number): LabelledPair[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const byId = new Map(eco.companies.map((c) => [c.id, c]));
  const tied = new Set(eco.edges.map((e) => [e.fromCompanyId, e.toCompanyId].sort().join('|')));
  const heldOut = new Set<string>();
  while (heldOut.size < perClass) heldOut.add(pick(eco.edges).id);
  const positives = eco.edges
    .filter((e) => heldOut.has(e.id))
    .map((e) => [byId.get(e.fromCompanyId)!, byId.get(e.toCompanyId)!] as const);
  const negatives: Array<readonly [Company, Company]> = [];
  while (negatives.length < perClass) {
    const [a, b] = [pick(eco.companies), pick(eco.companies)];
    if (a.id !== b.id && !tied.has([a.id, b.id].sort().join('|'))) negatives.push([a, b]);
  }
  const graph = buildGraph({ nodes: eco.companies, edges: eco.edges.filter((e) => !heldOut.has(e.id)) });
  const pagerank = pagerankOf(graph);
  const score = (a: Company, b: Company) => {
    const candidates = scoreCandidates({
      companyId: a.id,
      company: nodeOf(a),
      goal: 'partnership',
      weights: DEFAULT_PARTNER_WEIGHTS.partnership,
      graph,
      pagerank,
      similarity: new Map([[b.id, profileSimilarity(a, b)]]),
      extra: new Map(),
    });
    return candidates.find((c) => c.companyId === b.id)!.score;
  };
  return [
    ...positives.map(([a, b]) => ({ a, b, compatible: true, score: score(a, b) })),
    ...negatives.map(([a, b]) => ({ a, b, compatible: false, score: score(a, b) })),
  ];
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
