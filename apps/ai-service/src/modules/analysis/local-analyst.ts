import type { DealAnalysis, DealAssessment } from '@mna/shared';
import { completeness, type Deal, type DealMetrics } from './deal-metrics.js';
import type { Evidence } from './evidence.js';
import { findRedFlags, pointsOf, riskOf } from './red-flags.js';

type Risk = DealAnalysis['risks'][number];

const SEVERITY_POINTS: Record<Risk['severity'], number> = { low: 0.25, medium: 1, high: 2, critical: 3 };
const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

function financialRisks(deal: Deal, m: DealMetrics): Risk[] {
  const f = deal.financials;
  const risks: Risk[] = [];
  if (m.leverage !== null && m.leverage > 3) {
    risks.push({
      category: 'leverage',
      severity: m.leverage > 5 ? 'critical' : m.leverage > 4 ? 'high' : 'medium',
      evidence: `Net debt is ${m.leverage}x EBITDA.`,
      mitigation: 'Model debt service under downside cases; price the deal on a cash-free, debt-free basis.',
    });
  }
  if (f.ebitda !== undefined && f.ebitda <= 0) {
    risks.push({
      category: 'financial',
      severity: f.netDebt !== undefined && f.netDebt > 0 ? 'critical' : 'high',
      evidence: `EBITDA is ${f.ebitda} (not positive)${f.netDebt ? ` with net debt of ${f.netDebt}` : ''}.`,
      mitigation: 'Quality-of-earnings review and a credible path-to-profitability plan.',
    });
  }
  if (f.revenueGrowthPct !== undefined && f.revenueGrowthPct < 0) {
    risks.push({
      category: 'growth',
      severity: f.revenueGrowthPct < -10 ? 'critical' : 'high',
      evidence: `Revenue is shrinking at ${f.revenueGrowthPct}% a year.`,
      mitigation:
        'Commercial due diligence on churn and market share; structure part of the price as earn-out.',
    });
  }
  if (m.ebitdaMargin !== null && m.ebitdaMargin > 0 && m.ebitdaMargin < m.benchmark.typicalEbitdaMargin / 2) {
    risks.push({
      category: 'operational',
      severity: 'medium',
      evidence: `EBITDA margin of ${pct(m.ebitdaMargin)} is under half the sector's typical ${pct(m.benchmark.typicalEbitdaMargin)}.`,
      mitigation: 'Cost benchmarking and an operational improvement plan with owners.',
    });
  }
  const multiple = m.valuation.evToEbitda;
  if (multiple.assessment === 'above_range' && multiple.value !== null) {
    // Far above the range (more than twice its top) is critical: no document can make it a `proceed`.
    const ratio = multiple.value / multiple.benchmarkHigh;
    risks.push({
      category: 'valuation',
      severity: ratio > 2 ? 'critical' : ratio > 1.25 ? 'high' : 'medium',
      evidence: `EV/EBITDA of ${multiple.value}x is above the ${m.benchmark.sector} range ${multiple.benchmarkLow}–${multiple.benchmarkHigh}x.`,
      mitigation: 'Renegotiate price or shift consideration to deferred or contingent payments.',
    });
  }
  if (m.missing.length > 0) {
    risks.push({
      category: 'data',
      severity: m.missing.length >= 3 ? 'medium' : 'low',
      evidence: `Missing inputs: ${m.missing.join(', ')}.`,
      mitigation:
        'Request the data pack (audited accounts, management accounts, debt schedule) before a view is final.',
    });
  }
  return risks;
}

function strengthsOf(deal: Deal, m: DealMetrics, risks: Risk[], read: boolean): string[] {
  const f = deal.financials;
  const strengths: string[] = [];
  if (f.revenueGrowthPct !== undefined && f.revenueGrowthPct >= 15)
    strengths.push(`Strong revenue growth of ${f.revenueGrowthPct}% a year.`);
  if (m.ebitdaMargin !== null && m.ebitdaMargin >= m.benchmark.typicalEbitdaMargin)
    strengths.push(
      `EBITDA margin of ${pct(m.ebitdaMargin)} at or above the sector's typical ${pct(m.benchmark.typicalEbitdaMargin)}.`,
    );
  if (m.leverage !== null && m.leverage <= 2)
    strengths.push(`Conservative leverage at ${m.leverage}x EBITDA.`);
  for (const [name, multiple] of [
    ['EV/EBITDA', m.valuation.evToEbitda],
    ['EV/Revenue', m.valuation.evToRevenue],
  ] as const) {
    if (multiple.assessment === 'within_range' || multiple.assessment === 'below_range')
      strengths.push(
        `${name} of ${multiple.value}x is ${multiple.assessment.replace('_', ' ')} for ${m.benchmark.sector}.`,
      );
  }
  if (!risks.some((r) => ['legal', 'commercial', 'people', 'regulatory'].includes(r.category)) && read)
    strengths.push('No legal, regulatory, commercial or key-person red flags in what was read.');
  return strengths;
}

const BASE_CHECKLIST = [
  'Quality of earnings: normalised EBITDA, one-offs, revenue recognition.',
  'Net debt and working capital: debt-like items, seasonality, peg.',
  'Commercial: market, customers, churn, pipeline.',
  'Legal: material contracts, change-of-control clauses, litigation, IP ownership.',
  'Tax: exposures, structure, transfer pricing.',
  'People: key employees, incentives, culture and retention.',
  'IT, cyber and data protection.',
];

const FOCUS: Record<Risk['category'], string> = {
  financial: 'Priority: forensic quality-of-earnings and cash-flow review.',
  leverage: 'Priority: debt schedule, covenants and refinancing options.',
  valuation: 'Priority: rebuild the valuation from a DCF and trading comparables.',
  growth: 'Priority: cohort and churn analysis behind the revenue decline.',
  legal: 'Priority: litigation exposure assessment with counsel.',
  commercial: 'Priority: customer concentration analysis and reference calls.',
  operational: 'Priority: cost base benchmarking and margin bridge.',
  people: 'Priority: key-person interviews and retention terms.',
  regulatory: 'Priority: regulatory and antitrust clearance analysis.',
  data: 'Priority: obtain the missing financial data before the next decision.',
};

/**
 * The embedded rule-based analyst: same schema as Claude's answer, deterministic from the financials,
 * the sector benchmarks and the red flags (`red-flag-rules.ts`) in the documents' passages and the
 * notes, each quoted. A critical risk (a regulatory investigation, a restatement, a multiple more than
 * twice the range) ends in `pass`; confidence falls as key inputs are missing.
 */
export function analyseLocally(deal: Deal, metrics: DealMetrics, evidence: Evidence): DealAssessment {
  const flags = findRedFlags([...evidence.passages, ...(deal.notes ? [{ text: deal.notes }] : [])]);
  const financial = financialRisks(deal, metrics);
  const risks = [...financial, ...flags.map(riskOf)];
  const points =
    financial.reduce((sum, r) => sum + SEVERITY_POINTS[r.severity], 0) +
    flags.reduce((sum, f) => sum + pointsOf(f), 0);
  const recommendation =
    risks.some((r) => r.severity === 'critical') || points >= 5
      ? 'pass'
      : points >= 2
        ? 'proceed_with_conditions'
        : 'proceed';
  const citations = evidence.documentIds;
  const confidence =
    Math.round(
      (0.3 + 0.55 * completeness(metrics) + (citations.length > 0 ? 0.05 : 0) + (deal.notes ? 0.05 : 0)) *
        100,
    ) / 100;
  const focus = [...new Set(risks.filter((r) => r.severity !== 'low').map((r) => FOCUS[r.category]))];
  const top = risks.filter((r) => r.severity === 'critical' || r.severity === 'high').map((r) => r.category);
  const read = evidence.passages.length > 0 || Boolean(deal.notes);
  return {
    recommendation,
    confidence,
    summary:
      `${deal.target} (${metrics.benchmark.sector}): ${recommendation.replaceAll('_', ' ')}. ` +
      `${risks.length} risk(s)${top.length ? `, material: ${[...new Set(top)].join(', ')}` : ''}; ` +
      `EV/EBITDA ${metrics.evToEbitda ?? 'n/a'}x vs ${metrics.benchmark.evToEbitda.low}–${metrics.benchmark.evToEbitda.high}x; ` +
      `${evidence.passages.length} passage(s) of ${citations.length} document(s) read.`,
    risks,
    strengths: strengthsOf(deal, metrics, risks, read),
    nextSteps: [...focus, ...BASE_CHECKLIST],
    citations,
    quotes: flags.flatMap((f) =>
      f.source.documentId && f.source.chunkId
        ? [{ documentId: f.source.documentId, chunkId: f.source.chunkId, quote: f.sentence }]
        : [],
    ),
  };
}
