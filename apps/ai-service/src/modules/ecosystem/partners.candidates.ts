import type { PartnerResultsSchema } from '@mna/shared';
import type { z } from 'zod';
import type { FactorWeights } from '../../config.js';
import type { CompanyNode, EcosystemGraph } from './graph.js';
import { distancesFrom } from './graph.js';
import { type Driver, type LogisticModel, logisticScore } from './partners.model.js';
import {
  FACTOR_LABELS,
  type Factors,
  type Goal,
  geographicFit,
  networkProximity,
  roleEligible,
  sectorComplementarity,
  sizeFit,
  tagJaccard,
  weightedScore,
} from './partners.scoring.js';
import { cosine, profileTerms, sharedTags, tfIdfVectors } from './partners.text.js';
import { warmPaths } from './warm-paths.js';

export type Candidate = z.output<typeof PartnerResultsSchema>['candidates'][number];

const round = (v: number) => Math.round(v * 10_000) / 10_000;
/** The searcher's ties read for portfolio fit: the strongest ones, so a hub stays cheap to score. */
const MAX_TIES = 50;

/** Jaccard of two neighbour sets, each without the other company. */
function neighbourJaccard(graph: EcosystemGraph, own: Set<string>, a: string, b: string): number {
  if (!graph.hasNode(b)) return 0;
  let shared = 0;
  let other = 0;
  graph.forEachNeighbor(b, (n) => {
    if (n === a) return;
    other++;
    if (own.has(n)) shared++;
  });
  const union = own.size - (own.has(b) ? 1 : 0) + other - shared;
  return union === 0 ? 0 : shared / union;
}

// Object.values over a 20k-key PageRank map costs tens of milliseconds; metrics objects are shared
// (memoised by the store), so their maximum is computed once per object.
const maxima = new WeakMap<Record<string, number>, number>();
function maxOf(values: Record<string, number>): number {
  let max = maxima.get(values);
  if (max === undefined) {
    max = 0;
    for (const value of Object.values(values)) if (value > max) max = value;
    maxima.set(values, max);
  }
  return max;
}

export type ScoringInput = {
  companyId: string;
  company: CompanyNode;
  goal: Goal;
  weights: FactorWeights;
  /** The fitted model for the goal, when there is one; else the weighted mean of `weights`. */
  model: LogisticModel | null;
  graph: EcosystemGraph;
  pagerank: Record<string, number>;
  /** Profile-embedding similarity by company id, from search-service. */
  similarity: Map<string, number>;
  /** Companies known outside the graph (similar ones), by id. */
  extra: Map<string, CompanyNode>;
};

/** Each weighted factor's share of a weighted-mean score (the fixed-weight goals' drivers). */
function weightedDrivers(factors: Factors, weights: FactorWeights, unknown: Set<keyof Factors>): Driver[] {
  const keys = Object.keys(weights) as Array<keyof FactorWeights>;
  const total = keys.reduce((s, k) => s + weights[k], 0) || 1;
  return keys
    .filter((k) => weights[k] > 0 && !unknown.has(k))
    .map((k) => ({ factor: k, value: factors[k], contribution: round((weights[k] * factors[k]) / total) }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
}

/** Every candidate scored and ranked, with the evidence behind its score; pure and reproducible. */
export function scoreCandidates(input: ScoringInput): Candidate[] {
  const { graph, companyId } = input;
  const inGraph = graph.hasNode(companyId);
  const distances = inGraph ? distancesFrom(graph, companyId) : new Map<string, number>();
  const own = new Set(inGraph ? graph.neighbors(companyId) : []);
  const owned = new Set<string>();
  if (inGraph)
    graph.forEachEdge(companyId, (_e, attributes, source, target) => {
      if (attributes.acquiredBy === companyId) owned.add(source === companyId ? target : source);
    });
  const ties = [...own]
    .sort(
      (x, y) =>
        graph.getEdgeAttribute(graph.edge(companyId, y)!, 'strength') -
        graph.getEdgeAttribute(graph.edge(companyId, x)!, 'strength'),
    )
    .slice(0, MAX_TIES);
  const maxRank = maxOf(input.pagerank);
  const pool = new Map<string, CompanyNode>(input.extra);
  graph.forEachNode((id, attributes) => pool.set(id, attributes));
  pool.delete(companyId);
  const vectors = tfIdfVectors(
    new Map([
      [companyId, profileTerms(input.company)],
      ...[...pool].map(([id, n]) => [id, profileTerms(n)] as const),
    ]),
  );
  const self = vectors.get(companyId)!;
  const tieVectors = ties.map((id) => ({ id, vector: vectors.get(id)! })).filter((t) => t.vector.size > 0);
  const floor = input.similarity.size ? Math.min(...input.similarity.values()) : 0;
  const hasTies = graph.hasNode(companyId) && graph.degree(companyId) > 0;
  const candidates: Candidate[] = [];
  for (const [id, node] of pool) {
    if (input.goal === 'acquisition' && owned.has(id)) continue; // already acquired: not a target
    const vector = vectors.get(id)!;
    const unknown = new Set<keyof Factors>();
    if (input.similarity.size === 0) unknown.add('strategicFit');
    if (self.size === 0 || vector.size === 0) unknown.add('textSimilarity');
    if (input.company.tags.length === 0 || node.tags.length === 0) unknown.add('tagOverlap');
    if (!input.company.industry && !node.industry && input.company.tags.length + node.tags.length === 0)
      unknown.add('sectorComplementarity');
    const hasSizes =
      (input.company.revenueUsd && node.revenueUsd) || (input.company.employees && node.employees);
    if (!hasSizes) unknown.add('sizeFit');
    if (!input.company.region || !node.region) unknown.add('geographicFit');
    if (!hasTies) {
      unknown.add('networkProximity');
      unknown.add('influence');
    }
    let closest: { id: string; similarity: number } | null = null;
    for (const tie of tieVectors) {
      if (tie.id === id || vector.size === 0) continue;
      const similarity = cosine(tie.vector, vector);
      if (!closest || similarity > closest.similarity) closest = { id: tie.id, similarity };
    }
    if (!closest) unknown.add('portfolioFit');
    // Below search-service's nearest neighbours the similarity is at most the lowest one it returned.
    const embedding = input.similarity.get(id) ?? floor;
    const factors: Factors = {
      strategicFit: round(Math.max(0, Math.min(1, embedding))),
      sectorComplementarity: sectorComplementarity(input.goal, input.company, node),
      sizeFit: sizeFit(input.goal, input.company, node),
      geographicFit: geographicFit(input.company, node),
      networkProximity: networkProximity(distances.get(id), neighbourJaccard(graph, own, companyId, id)),
      influence: maxRank > 0 ? round((input.pagerank[id] ?? 0) / maxRank) : 0,
      textSimilarity: round(cosine(self, vector)),
      tagOverlap: round(tagJaccard(input.company.tags, node.tags)),
      portfolioFit: round(closest?.similarity ?? 0),
    };
    const eligible = roleEligible(input.goal, input.company, node);
    const { score, drivers } = input.model
      ? logisticScore(input.model, factors, unknown)
      : {
          score: weightedScore(input.goal, factors, input.weights),
          drivers: weightedDrivers(factors, input.weights, unknown),
        };
    const tie = closest ? graph.getNodeAttributes(closest.id) : null;
    candidates.push({
      companyId: id,
      name: node.name,
      score: eligible * score,
      factors,
      evidence: {
        drivers,
        sharedTags: sharedTags(input.company.tags, node.tags),
        textSimilarity: factors.textSimilarity,
        closestTie:
          closest && tie
            ? { companyId: closest.id, name: tie.name, similarity: round(closest.similarity) }
            : null,
        networkPath: null,
        unknown: [...unknown],
      },
      rationale: eligible
        ? ''
        : `${node.name}: a fund or bank is not an operating ${input.goal} counterpart here (score 0).`,
    });
  }
  return candidates.sort((a, b) => b.score - a.score || (a.companyId < b.companyId ? -1 : 1));
}

type ShownDriver = Candidate['evidence']['drivers'][number];
const describe = (d: ShownDriver, c: Candidate) => {
  const base = `${FACTOR_LABELS[d.factor as keyof Factors]} ${d.value.toFixed(2)}`;
  if (d.factor === 'tagOverlap' || d.factor === 'sectorComplementarity')
    return c.evidence.sharedTags.length ? `${base} (shared tags: ${c.evidence.sharedTags.join(', ')})` : base;
  if (d.factor === 'portfolioFit' && c.evidence.closestTie)
    return `${base} (closest tie: ${c.evidence.closestTie.name})`;
  if (d.factor === 'networkProximity' && c.evidence.networkPath)
    return `${base} (path ${c.evidence.networkPath.join(' → ')})`;
  return base;
};

/**
 * Fills the returned candidates' network paths and their local rationale: the factors that raised the
 * score most, each with its evidence (shared tags, closest tie, path), the one that held it back, the
 * text similarity, and the factors left unknown.
 */
export function explainCandidates(
  graph: EcosystemGraph,
  companyId: string,
  goal: Goal,
  candidates: Candidate[],
) {
  for (const c of candidates) {
    const path = warmPaths(graph, companyId, c.companyId, 1)[0]?.path;
    c.evidence.networkPath = path ? path.map((id) => graph.getNodeAttribute(id, 'name')) : null;
    if (c.rationale) continue;
    const up = c.evidence.drivers.filter((d) => d.contribution > 0).slice(0, 3);
    const down = c.evidence.drivers.filter((d) => d.contribution < 0)[0];
    c.rationale =
      `${c.name} as a ${goal} candidate: ` +
      (up.length ? `driven by ${up.map((d) => describe(d, c)).join('; ')}` : 'no factor raises the score') +
      (down ? `; held back by ${describe(down, c)}` : '') +
      `. Text similarity ${c.evidence.textSimilarity.toFixed(2)}` +
      (c.evidence.sharedTags.length
        ? `, shared tags: ${c.evidence.sharedTags.join(', ')}`
        : ', no shared tags') +
      `; network path: ${c.evidence.networkPath ? c.evidence.networkPath.join(' → ') : 'none'}` +
      (c.evidence.unknown.length
        ? `; unknown (neutral): ${c.evidence.unknown.map((k) => FACTOR_LABELS[k as keyof Factors]).join(', ')}.`
        : '.');
  }
  return candidates;
}
