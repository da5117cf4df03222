import { describe, expect, it } from 'vitest';
import type { CompanyNode } from './graph.js';
import { roleEligible, sectorComplementarity } from './partners.scoring.js';

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
