/** A sector's typical trading range of enterprise-value multiples. */
export type SectorBenchmark = {
  sector: string;
  evToEbitda: { low: number; high: number };
  evToRevenue: { low: number; high: number };
  /** Typical EBITDA margin, for the margin check. */
  typicalEbitdaMargin: number;
};

/**
 * Shipped with the service and versioned with it. Interquartile-style ranges rounded from the public
 * sector multiples NYU Stern (Damodaran Online) publishes each January; they are a screen, not a
 * valuation opinion, and the response always names this source.
 */
export const BENCHMARK_SOURCE =
  'mna-platform sector benchmarks 2025-01: rounded ranges after NYU Stern / Damodaran Online "EV multiples by sector (US)", January 2025';

const TABLE: readonly SectorBenchmark[] = [
  {
    sector: 'software',
    evToEbitda: { low: 14, high: 28 },
    evToRevenue: { low: 3, high: 9 },
    typicalEbitdaMargin: 0.25,
  },
  {
    sector: 'fintech',
    evToEbitda: { low: 12, high: 24 },
    evToRevenue: { low: 2.5, high: 7 },
    typicalEbitdaMargin: 0.22,
  },
  {
    sector: 'healthcare',
    evToEbitda: { low: 11, high: 20 },
    evToRevenue: { low: 1.5, high: 4.5 },
    typicalEbitdaMargin: 0.18,
  },
  {
    sector: 'industrials',
    evToEbitda: { low: 8, high: 14 },
    evToRevenue: { low: 0.8, high: 2.2 },
    typicalEbitdaMargin: 0.14,
  },
  {
    sector: 'consumer',
    evToEbitda: { low: 8, high: 15 },
    evToRevenue: { low: 0.6, high: 2 },
    typicalEbitdaMargin: 0.12,
  },
  {
    sector: 'energy',
    evToEbitda: { low: 5, high: 10 },
    evToRevenue: { low: 0.8, high: 2.5 },
    typicalEbitdaMargin: 0.2,
  },
  {
    sector: 'media',
    evToEbitda: { low: 7, high: 13 },
    evToRevenue: { low: 1, high: 3 },
    typicalEbitdaMargin: 0.18,
  },
  {
    sector: 'logistics',
    evToEbitda: { low: 7, high: 12 },
    evToRevenue: { low: 0.5, high: 1.5 },
    typicalEbitdaMargin: 0.1,
  },
  {
    sector: 'semiconductors',
    evToEbitda: { low: 12, high: 24 },
    evToRevenue: { low: 3, high: 8 },
    typicalEbitdaMargin: 0.3,
  },
  {
    sector: 'investors',
    evToEbitda: { low: 9, high: 16 },
    evToRevenue: { low: 2, high: 6 },
    typicalEbitdaMargin: 0.35,
  },
  {
    sector: 'general',
    evToEbitda: { low: 8, high: 16 },
    evToRevenue: { low: 1, high: 3 },
    typicalEbitdaMargin: 0.15,
  },
];

// Order matters: the first match wins (an investment bank is an investor, not a bank).
const ALIASES: ReadonlyArray<[RegExp, string]> = [
  [/private equity|venture capital|investment bank|asset manage|hedge fund|family office/i, 'investors'],
  [/semiconductor|chip|photonic|electronic|hardware/i, 'semiconductors'],
  [/saas|software|cloud|cyber|data|ai\b|analytics|devtools/i, 'software'],
  [/fintech|payment|bank|insur|financ|lending/i, 'fintech'],
  [/health|pharma|biotech|medtech|medical|life science/i, 'healthcare'],
  [/industrial|manufactur|engineering|aerospace|defen[cs]e|chemical/i, 'industrials'],
  [/consumer|retail|e-?commerce|food|beverage|apparel/i, 'consumer'],
  [/energy|oil|gas|renewable|solar|wind|utilit/i, 'energy'],
  [/media|telecom|entertainment|publishing|advertis/i, 'media'],
  [/logistic|transport|shipping|freight|supply chain/i, 'logistics'],
];

/** The benchmark row for a free-text sector; unknown sectors get the broad market range. */
export function benchmarkFor(sector: string): SectorBenchmark {
  const key = ALIASES.find(([pattern]) => pattern.test(sector))?.[1] ?? 'general';
  return TABLE.find((row) => row.sector === key)!;
}
