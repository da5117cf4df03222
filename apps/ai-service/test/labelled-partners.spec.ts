import { describe, expect, it } from 'vitest';
import { accuracyAt, bestThreshold, labelledPairs } from './labelled-pairs.js';
import { syntheticEcosystem } from './synthetic-ecosystem.js';

// scripts/demo did not exist when this was written: the labelled set comes from a synthetic ecosystem
// (see synthetic-ecosystem.ts). The threshold is calibrated on one ecosystem and measured on another.
describe('partner scoring on labelled pairs', () => {
  it('separates held-out real ties from unrelated pairs (accuracy reported, target ≥ 85%)', () => {
    const calibration = labelledPairs(syntheticEcosystem({ companies: 600, edges: 1800, seed: 11 }), 60, 12);
    const threshold = bestThreshold(calibration);
    const test = labelledPairs(syntheticEcosystem({ companies: 600, edges: 1800, seed: 21 }), 60, 22);
    expect(test).toHaveLength(120);
    const accuracy = accuracyAt(test, threshold);
    console.info(
      `labelled partner pairs: ${test.length}, threshold ${threshold}, accuracy ${(accuracy * 100).toFixed(1)}%`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });
});
