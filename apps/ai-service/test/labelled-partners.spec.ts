import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PARTNERSHIPS, SUPPLIES } from '../../../scripts/demo/deals.js';
import { benchmarkFor } from '../src/modules/analysis/benchmarks.js';
import { type DemoLabel, demoEcosystem, demoLabels } from './demo-ecosystem.js';
import { accuracyAt, bestThreshold, labelledPairs, sampleTies, scoreLabels } from './labelled-pairs.js';
import { syntheticEcosystem } from './synthetic-ecosystem.js';

const refKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
const keyOf = (p: DemoLabel) => refKey(p.a.externalId!, p.b.externalId!);

/**
 * Fixed halves, blind to the scores: within each label, pairs sorted by the sha256 of their refs go
 * alternately to the development half (which fits the threshold) and the held-out half.
 */
function halves<T extends DemoLabel>(pairs: T[]) {
  const development: T[] = [];
  const heldOut: T[] = [];
  for (const compatible of [true, false]) {
    const sorted = pairs
      .filter((p) => p.compatible === compatible)
      .map((p) => ({ p, hash: createHash('sha256').update(keyOf(p)).digest('hex') }))
      .sort((x, y) => (x.hash < y.hash ? -1 : 1));
    for (const [i, { p }] of sorted.entries()) (i % 2 === 0 ? development : heldOut).push(p);
  }
  return { development, heldOut };
}

const isInvestor = (p: DemoLabel) =>
  [p.a, p.b].some((c) => c.industry !== null && benchmarkFor(c.industry).sector === 'investors');

describe('partner scoring on labelled pairs', () => {
  const eco = demoEcosystem();
  const labels = demoLabels(eco.byRef);

  it('the demo labels agree with the demo data: every commercial tie once, judged pairs untied', () => {
    const ties = new Map<string, Set<string>>();
    for (const [list, basis] of [
      [PARTNERSHIPS, 'partnership'],
      [SUPPLIES, 'supply'],
    ] as const) {
      for (const [a, b] of list) ties.set(refKey(a, b), (ties.get(refKey(a, b)) ?? new Set()).add(basis));
    }
    const refOf = new Map(eco.companies.map((c) => [c.id, c.externalId!]));
    const tied = new Set(
      eco.edges.map((e) => refKey(refOf.get(e.fromCompanyId)!, refOf.get(e.toCompanyId)!)),
    );
    const keys = labels.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    for (const p of labels) {
      expect(p.a.id).not.toBe(p.b.id);
      if (p.basis === 'judged') expect(tied.has(keyOf(p)), keyOf(p)).toBe(false);
      else {
        expect(p.compatible, keyOf(p)).toBe(true);
        expect(p.basis, keyOf(p)).toBe([...(ties.get(keyOf(p)) ?? [])].join('+'));
      }
    }
    expect(labels.filter((p) => p.basis !== 'judged')).toHaveLength(ties.size);
  });

  // The demo set (labelled-pairs.tsv): the demo's 48 partnership and supply ties, 12 pairs judged
  // compatible and 60 judged incompatible, labelled with a rationale before any was scored.
  it('demo ecosystem: judged labels, threshold fitted on the development half, measured on the held-out half (target 85%)', () => {
    const { development, heldOut } = halves(scoreLabels(eco, labels));
    for (const half of [development, heldOut]) {
      expect(half.length).toBeGreaterThanOrEqual(50);
      expect(half.some((p) => p.compatible) && half.some((p) => !p.compatible)).toBe(true);
    }
    const threshold = bestThreshold(development);
    const [dev, held] = [accuracyAt(development, threshold), accuracyAt(heldOut, threshold)];
    const operating = heldOut.filter((p) => !isInvestor(p));
    // Only the development half's misses are printed: they are the ones to study.
    const misses = development
      .filter((p) => p.score >= threshold !== p.compatible)
      .map((p) => `${keyOf(p)} (${p.basis}, ${p.compatible ? 'compatible' : 'incompatible'}, ${p.score})`);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    console.info(
      `demo labelled pairs: development ${development.length}, held-out ${heldOut.length}, threshold ${threshold}, ` +
        `development ${pct(dev)}, held-out ${pct(held)} (${pct(accuracyAt(operating, threshold))} of ` +
        `${operating.length} without a fund or bank); development misses: ${misses.join('; ') || 'none'}`,
    );
    // Measured 2026-11-30: development 91.7%, held-out 93.3% (before practicality was scaled by the
    // evidence: 75.0% and 68.3%). Floors are the measured figures rounded down.
    expect(dev).toBeGreaterThanOrEqual(0.91);
    expect(held).toBeGreaterThanOrEqual(0.93);
  });

  it('synthetic ecosystem: threshold from one ecosystem, accuracy on another, target ≥ 85%', () => {
    const first = syntheticEcosystem({ companies: 600, edges: 1800, seed: 11 });
    const second = syntheticEcosystem({ companies: 600, edges: 1800, seed: 21 });
    const threshold = bestThreshold(labelledPairs(first, sampleTies(first, 60, 12), 60, 12));
    const test = labelledPairs(second, sampleTies(second, 60, 22), 60, 22);
    const accuracy = accuracyAt(test, threshold);
    console.info(
      `synthetic labelled pairs: ${test.length}, threshold ${threshold}, accuracy ${(accuracy * 100).toFixed(1)}%`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });
});
