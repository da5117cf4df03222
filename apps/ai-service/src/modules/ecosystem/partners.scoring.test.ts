import { describe, expect, it } from 'vitest';
import type { CompanyNode } from './graph.js';
import { sectorComplementarity } from './partners.scoring.js';

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
