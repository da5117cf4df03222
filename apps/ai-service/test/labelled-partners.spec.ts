import { describe, expect, it } from 'vitest';
import { demoCommercialTies, demoEcosystem } from './demo-ecosystem.js';
import { accuracyAt, bestThreshold, type LabelledPair, labelledPairs, sampleTies } from './labelled-pairs.js';
import { syntheticEcosystem } from './synthetic-ecosystem.js';

/**
 * The demo set split in two fixed halves (every other positive and negative): the development half was
 * the only one looked at while the factors were changed and fits the threshold; the held-out half is
 * measured once with that threshold.
 */
function developmentAndHeldOut(pairs: LabelledPair[]) {
  const development = pairs.filter((_, i) => i % 2 === 0);
  const heldOut = pairs.filter((_, i) => i % 2 === 1);
  const threshold = bestThreshold(development);
  return {
    threshold,
    development: accuracyAt(development, threshold),
    heldOut: accuracyAt(heldOut, threshold),
  };
}

describe('partner scoring on labelled pairs', () => {
  // Measured 2026-11-30: development 84%, held-out 76% — below the 85% target (2026-11-22: 80% and
  // 74%, before funds and banks were made ineligible as operating partners). The negatives are
  // pairs with no tie in the demo data, not pairs known to be incompatible: several are plausible
  // partners (an e-commerce marketplace and an insurer, a chip maker and an automation vendor), so
  // part of the gap is label noise. Weights fitted to the development half reached 86% there but only
  // 76% held out and lowered the synthetic check, so the defaults were kept. These are regression
  // floors well above chance (50%), not the target.
  it('demo ecosystem (scripts/demo): 50 held-out commercial ties vs 50 unrelated pairs, development and held-out halves (target 85%)', () => {
    const eco = demoEcosystem();
    const positives = demoCommercialTies(eco.byRef);
    const pairs = labelledPairs(eco, positives, positives.length, 7);
    expect(pairs).toHaveLength(100);
    const { threshold, development, heldOut } = developmentAndHeldOut(pairs);
    console.info(
      `demo labelled pairs: 50 + 50, threshold ${threshold}, development ${(development * 100).toFixed(1)}%, held-out ${(heldOut * 100).toFixed(1)}%`,
    );
    expect(development).toBeGreaterThanOrEqual(0.8);
    expect(heldOut).toBeGreaterThanOrEqual(0.72);
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
