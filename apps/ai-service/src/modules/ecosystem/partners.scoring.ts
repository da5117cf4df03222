import type { PARTNER_GOALS } from '@mna/shared';
import type { FactorWeights } from '../../config.js';
import { benchmarkFor } from '../analysis/benchmarks.js';
import type { CompanyNode } from './graph.js';

export type Goal = (typeof PARTNER_GOALS)[number];
export type Factors = {
  strategicFit: number;
  sectorComplementarity: number;
  sizeFit: number;
  geographicFit: number;
  networkProximity: number;
  influence: number;
  textSimilarity: number;
  tagOverlap: number;
  portfolioFit: number;
};
/** The factors a goal's fixed weights (config PARTNER_WEIGHTS) cover; the others feed the fitted model. */
type WeightedFactor = keyof FactorWeights;

const round = (v: number) => Math.round(v * 10_000) / 10_000;
const clamp01 = (v: number) => Math.max(0, Math.min(1, v));

/** Sector pairs whose products or customers complement each other (value chains, cross-sell). */
const COMPLEMENTS = new Set([
  'software|fintech',
  'software|healthcare',
  'software|media',
  'software|logistics',
  'software|industrials',
  'industrials|logistics',
  'industrials|energy',
  'consumer|logistics',
  'consumer|media',
  'fintech|consumer',
  'healthcare|fintech',
  'semiconductors|industrials',
  'semiconductors|software',
]);
const sectorOf = (industry: string | null) => (industry ? benchmarkFor(industry).sector : null);

/** Industry score per goal: acquirers consolidate the same sector, partners look for complements. */
const INDUSTRY_SCORE: Record<Goal, { same: number; complement: number; other: number }> = {
  acquisition: { same: 1, complement: 0.6, other: 0.1 },
  partnership: { same: 0.6, complement: 1, other: 0.1 },
  investment: { same: 0.8, complement: 0.6, other: 0.1 },
};

export function tagJaccard(a: string[], b: string[]): number {
  const left = new Set(a.map((t) => t.toLowerCase()));
  const right = new Set(b.map((t) => t.toLowerCase()));
  const union = new Set([...left, ...right]).size;
  if (union === 0) return 0;
  return [...left].filter((t) => right.has(t)).length / union;
}

/** 0.7 × industry score for the goal + 0.3 × tag overlap (Jaccard). Unknown industry: 0.5. */
export function sectorComplementarity(goal: Goal, a: CompanyNode, b: CompanyNode): number {
  const [sa, sb] = [sectorOf(a.industry), sectorOf(b.industry)];
  const table = INDUSTRY_SCORE[goal];
  const industry =
    goal !== 'investment' && (sa === 'investors' || sb === 'investors')
      ? 0 // a fund or bank finances companies; it is neither an operating partner nor a target
      : !sa || !sb || sa === 'general' || sb === 'general'
        ? 0.5
        : sa === sb
          ? table.same
          : COMPLEMENTS.has(`${sa}|${sb}`) || COMPLEMENTS.has(`${sb}|${sa}`)
            ? table.complement
            : table.other;
  return round(0.7 * industry + 0.3 * tagJaccard(a.tags, b.tags));
}

/**
 * Whether the pair can be what the goal looks for at all: a fund or bank finances companies, so for
 * a partnership or an acquisition (of or by it) it is no operating counterpart, whatever else fits;
 * for an investment it is the natural source. 1 = eligible, 0 = not: the weighted score is gated by it.
 */
export function roleEligible(goal: Goal, a: CompanyNode, b: CompanyNode): 0 | 1 {
  if (goal === 'investment') return 1;
  return sectorOf(a.industry) === 'investors' || sectorOf(b.industry) === 'investors' ? 0 : 1;
}

/** Candidate size / company size the goal looks for: acquisitions and investments target smaller firms. */
export const SIZE_RANGES: Record<Goal, [number, number]> = {
  acquisition: [0.05, 0.5],
  partnership: [0.25, 4],
  investment: [0.01, 0.25],
};

/** 1 inside the goal's size-ratio range, falling by 1 per decade outside; 0.5 when sizes are unknown. */
export function sizeFit(goal: Goal, a: CompanyNode, b: CompanyNode): number {
  const ratio =
    a.revenueUsd && b.revenueUsd
      ? b.revenueUsd / a.revenueUsd
      : a.employees && b.employees
        ? b.employees / a.employees
        : null;
  if (ratio === null) return 0.5;
  const [low, high] = SIZE_RANGES[goal];
  if (ratio >= low && ratio <= high) return 1;
  const bound = ratio < low ? low : high;
  return round(clamp01(1 - Math.abs(Math.log10(ratio / bound))));
}

/** Same region 1, different 0.2, unknown 0.5. */
export function geographicFit(a: CompanyNode, b: CompanyNode): number {
  if (!a.region || !b.region) return 0.5;
  return a.region.trim().toLowerCase() === b.region.trim().toLowerCase() ? 1 : 0.2;
}

/**
 * 0.7 × min(1, 1 / weighted distance) + 0.3 × shared-neighbour Jaccard. Distance sums 1/strength
 * along the shortest path, so one tie of strength 1 scores 1 and an unreachable company 0.
 */
export function networkProximity(distance: number | undefined, shared: number): number {
  const path = distance === undefined || distance === 0 ? 0 : Math.min(1, 1 / distance);
  return round(0.7 * path + 0.3 * shared);
}

/** Factors that give a reason for the pair; the others (size, geography, influence) say how practical it is. */
const EVIDENCE = new Set<WeightedFactor>(['strategicFit', 'sectorComplementarity', 'networkProximity']);

/**
 * Goals whose practicality factors count only in proportion to the evidence (its weighted mean, 0–1):
 * two unrelated companies of one size in one region have no reason to partner, however practical it
 * would be. Acquisitions and investments keep the plain mean: for them size is itself a criterion,
 * and no labelled set measures them.
 */
const PRACTICALITY_SCALED: Record<Goal, boolean> = {
  acquisition: false,
  partnership: true,
  investment: false,
};

/** Weighted mean of the factors; for PRACTICALITY_SCALED goals, practicality scaled by the evidence. */
export function weightedScore(goal: Goal, factors: Factors, weights: FactorWeights): number {
  const keys = Object.keys(weights) as WeightedFactor[];
  const total = keys.reduce((s, k) => s + weights[k], 0);
  if (total === 0) return 0;
  const sum = (ks: WeightedFactor[]) => ks.reduce((s, k) => s + weights[k] * factors[k], 0);
  const evidence = keys.filter((k) => EVIDENCE.has(k));
  const practicality = keys.filter((k) => !EVIDENCE.has(k));
  const evidenceWeight = evidence.reduce((s, k) => s + weights[k], 0);
  const scale = PRACTICALITY_SCALED[goal] && evidenceWeight > 0 ? sum(evidence) / evidenceWeight : 1;
  return round(clamp01((sum(evidence) + scale * sum(practicality)) / total));
}

export const FACTOR_LABELS: Record<keyof Factors, string> = {
  strategicFit: 'profile similarity',
  sectorComplementarity: 'sector complementarity',
  sizeFit: 'size fit',
  geographicFit: 'geographic fit',
  networkProximity: 'network proximity',
  influence: 'ecosystem influence',
  textSimilarity: 'text similarity',
  tagOverlap: 'tag overlap',
  portfolioFit: 'portfolio fit',
};
