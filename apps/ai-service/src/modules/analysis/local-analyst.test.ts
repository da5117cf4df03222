import { DealAssessmentSchema, type DealInput, DealInputSchema } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { computeDealMetrics } from './deal-metrics.js';
import { analyseLocally } from './local-analyst.js';

const run = (input: DealInput) => {
  const deal = DealInputSchema.parse(input);
  const metrics = computeDealMetrics(deal);
  return {
    metrics,
    result: DealAssessmentSchema.parse(
      analyseLocally(deal, metrics, { passages: [], documentIds: [], tokens: 0 }),
    ),
  };
};

const healthy: DealInput = {
  target: 'Acme Cloud',
  sector: 'B2B SaaS',
  geography: 'Europe',
  financials: {
    currency: 'USD',
    revenue: 100,
    ebitda: 30,
    revenueGrowthPct: 25,
    netDebt: 30,
    enterpriseValue: 600,
  },
  notes: 'Recurring revenue, diversified customer base, experienced management team.',
};

describe('local analyst', () => {
  it('passes on a highly levered, shrinking, litigation-flagged deal, naming each risk', () => {
    const { result, metrics } = run({
      target: 'Rustbelt Widgets',
      sector: 'Industrial manufacturing',
      financials: {
        currency: 'USD',
        revenue: 200,
        ebitda: 20,
        revenueGrowthPct: -15,
        netDebt: 140,
        enterpriseValue: 260,
      },
      notes:
        'Management disclosed pending litigation with a former distributor. Volumes fell again this year.',
    });
    expect(metrics.leverage).toBe(7);
    expect(result.recommendation).toBe('pass');
    const byCategory = Object.fromEntries(result.risks.map((r) => [r.category, r.severity]));
    expect(byCategory.leverage).toBe('critical');
    expect(byCategory.growth).toBe('critical');
    expect(byCategory.legal).toBe('high');
    expect(result.risks.find((r) => r.category === 'legal')?.evidence).toContain('pending litigation');
    expect(result.nextSteps[0]).toMatch(/^Priority:/);
  });

  it('proceeds on a healthy deal within the sector range', () => {
    const { result, metrics } = run(healthy);
    expect(metrics.valuation.evToEbitda).toMatchObject({
      value: 20,
      assessment: 'within_range',
      benchmarkLow: 14,
      benchmarkHigh: 28,
    });
    expect(metrics.valuation.evToRevenue.value).toBe(6);
    expect(metrics.valuation.benchmarkSource).toContain('Damodaran');
    expect(result.recommendation).toBe('proceed');
    expect(result.risks).toEqual([]);
    expect(result.strengths.join(' ')).toMatch(/growth of 25%/);
    expect(result.confidence).toBe(0.9);
  });

  it('lowers confidence as financials go missing', () => {
    const full = run(healthy).result.confidence;
    const partial = run({
      ...healthy,
      financials: { currency: 'USD', revenue: 100, ebitda: 30, enterpriseValue: 600 },
    }).result;
    const bare = run({ target: 'Acme Cloud', sector: 'B2B SaaS' }).result;
    expect(partial.confidence).toBeLessThan(full);
    expect(bare.confidence).toBeLessThan(partial.confidence);
    expect(bare.risks.find((r) => r.category === 'data')?.evidence).toContain('revenue, ebitda');
  });

  it('flags concentration and key-person terms as conditions, not a pass', () => {
    const { result } = run({
      ...healthy,
      notes:
        'Customer concentration: the largest customer is 45% of revenue. The business depends on the founder.',
    });
    expect(result.recommendation).toBe('proceed_with_conditions');
    expect(result.risks.map((r) => r.category).sort()).toEqual(['commercial', 'people']);
  });

  it('is deterministic', () => {
    expect(run(healthy).result).toEqual(run(healthy).result);
  });

  it('a ratio too large for a number (a near-zero EBITDA or revenue) is unknown, not Infinity (found by the contract fuzz)', () => {
    const { result, metrics } = run({
      ...healthy,
      financials: {
        ...healthy.financials,
        ebitda: 2.5e-323,
        revenue: 5e-324,
        netDebt: 8e-323,
        enterpriseValue: 9_715_760,
      },
    });
    expect(metrics.evToEbitda).toBeNull();
    expect(metrics.evToRevenue).toBeNull();
    expect(metrics.valuation.evToEbitda.assessment).toBe('unknown');
    expect(result.recommendation).toBeDefined();
  });
});
