import { describe, expect, it } from 'vitest';
import type { CompanyNode } from './graph.js';
import { type Factors, roleEligible, sectorComplementarity, weightedScore } from './partners.scoring.js';

const node = (industry: string, tags: string[] = []): CompanyNode => ({
  name: industry,
  industry,
  region: 'Europe',
  employees: null,
  revenueUsd: null,
  tags,
});

describe('sector complementarity', () => {
  it('gives a fund no industry score as a partner or target, but keeps it for an investment', () => {
    const fund = node('Private Equity', ['buyout']);
    const saas = node('Software', ['buyout']);
    // Only the tag overlap (Jaccard 1 → 0.3) is left for partnership and acquisition.
    expect(sectorComplementarity('partnership', saas, fund)).toBe(0.3);
    expect(sectorComplementarity('acquisition', fund, saas)).toBe(0.3);
    expect(sectorComplementarity('investment', fund, saas)).toBeCloseTo(0.7 * 0.1 + 0.3, 4);
  });

  it('rewards complements for a partnership and the same sector for an acquisition', () => {
    const [software, fintech] = [node('Software'), node('Fintech')];
    expect(sectorComplementarity('partnership', software, fintech)).toBe(0.7);
    expect(sectorComplementarity('acquisition', software, node('SaaS'))).toBe(0.7);
  });
});

describe('role eligibility', () => {
  it('keeps funds and banks out of partnerships and acquisitions, on either side, but not out of investments', () => {
    const [fund, bank, saas, maker] = [
      node('Private Equity'),
      node('Investment Banking'),
      node('Software'),
      node('Industrial Automation'),
    ];
    expect(roleEligible('partnership', saas, maker)).toBe(1);
    expect(roleEligible('partnership', saas, bank)).toBe(0);
    expect(roleEligible('partnership', fund, saas)).toBe(0);
    expect(roleEligible('acquisition', saas, fund)).toBe(0);
    expect(roleEligible('investment', fund, saas)).toBe(1);
  });
});

describe('weighted score', () => {
  const weights = {
    strategicFit: 1,
    sectorComplementarity: 1,
    sizeFit: 1,
    geographicFit: 1,
    networkProximity: 1,
    influence: 1,
  };
  const practical = { sizeFit: 1, geographicFit: 1, influence: 1 };
  const factors = (evidence: number): Factors => ({
    strategicFit: evidence,
    sectorComplementarity: evidence,
    networkProximity: evidence,
    ...practical,
    // Not among the fixed weights: the fitted model's factors leave a weighted mean unchanged.
    textSimilarity: 0,
    tagOverlap: 0,
    portfolioFit: 0,
  });

  it('counts size, geography and influence of a partnership in proportion to the evidence', () => {
    // Two unrelated companies of one size in one region: no reason to partner, whatever else fits.
    expect(weightedScore('partnership', factors(0), weights)).toBe(0);
    expect(weightedScore('partnership', factors(0.5), weights)).toBe(0.5);
    expect(weightedScore('partnership', factors(1), weights)).toBe(1);
  });

  it('keeps the plain weighted mean for an acquisition or an investment', () => {
    expect(weightedScore('acquisition', factors(0), weights)).toBe(0.5);
    expect(weightedScore('investment', factors(0.5), weights)).toBe(0.75);
  });
});
