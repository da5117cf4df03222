import type { DealAnalysis, DealInputSchema } from '@mna/shared';
import type { z } from 'zod';
import { BENCHMARK_SOURCE, benchmarkFor, type SectorBenchmark } from './benchmarks.js';

export type Deal = z.output<typeof DealInputSchema>;

/** Everything computable from the financials alone; both analysts start from it. */
export type DealMetrics = {
  benchmark: SectorBenchmark;
  enterpriseValue: number | null;
  ebitdaMargin: number | null;
  /** Net debt / EBITDA; null when EBITDA is missing or not positive. */
  leverage: number | null;
  evToEbitda: number | null;
  evToRevenue: number | null;
  /** The key financial inputs that were not given. */
  missing: string[];
  valuation: DealAnalysis['valuation'];
};

const KEY_FIELDS = ['revenue', 'ebitda', 'revenueGrowthPct', 'netDebt', 'enterpriseValue'] as const;

const assess = (value: number | null, low: number, high: number) =>
  value === null ? 'unknown' : value < low ? 'below_range' : value > high ? 'above_range' : 'within_range';

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
/** a / b rounded; null when it is no finite number (a near-zero divisor), which no schema can carry. */
const ratio = (a: number, b: number, digits = 2) => {
  const value = round(a / b, digits);
  return Number.isFinite(value) ? value : null;
};

export function computeDealMetrics(deal: Deal): DealMetrics {
  const f = deal.financials;
  const benchmark = benchmarkFor(deal.sector);
  const enterpriseValue = f.enterpriseValue ?? f.askingPrice ?? null;
  const evToEbitda =
    enterpriseValue !== null && f.ebitda !== undefined && f.ebitda > 0
      ? ratio(enterpriseValue, f.ebitda)
      : null;
  const evToRevenue =
    enterpriseValue !== null && f.revenue !== undefined && f.revenue > 0
      ? ratio(enterpriseValue, f.revenue)
      : null;
  const missing = KEY_FIELDS.filter((key) =>
    key === 'enterpriseValue' ? enterpriseValue === null : f[key] === undefined,
  );
  return {
    benchmark,
    enterpriseValue,
    ebitdaMargin:
      f.ebitda !== undefined && f.revenue !== undefined && f.revenue > 0
        ? ratio(f.ebitda, f.revenue, 4)
        : null,
    leverage:
      f.netDebt !== undefined && f.ebitda !== undefined && f.ebitda > 0 ? ratio(f.netDebt, f.ebitda) : null,
    evToEbitda,
    evToRevenue,
    missing,
    valuation: {
      evToEbitda: {
        value: evToEbitda,
        benchmarkLow: benchmark.evToEbitda.low,
        benchmarkHigh: benchmark.evToEbitda.high,
        assessment: assess(evToEbitda, benchmark.evToEbitda.low, benchmark.evToEbitda.high),
      },
      evToRevenue: {
        value: evToRevenue,
        benchmarkLow: benchmark.evToRevenue.low,
        benchmarkHigh: benchmark.evToRevenue.high,
        assessment: assess(evToRevenue, benchmark.evToRevenue.low, benchmark.evToRevenue.high),
      },
      benchmarkSource: `${BENCHMARK_SOURCE} (sector row: ${benchmark.sector})`,
    },
  };
}

/** Share of the key financial inputs present, 0–1. */
export const completeness = (metrics: DealMetrics) => 1 - metrics.missing.length / KEY_FIELDS.length;
