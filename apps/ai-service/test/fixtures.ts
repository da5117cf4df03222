import type { DealAssessment, DealInput } from '@mna/shared';
import { anthropicMessage, type FakeResponse } from '@mna/testing';
import { company, doc, edge, type TenantData } from './search-stand-in.js';

export const healthyDeal: DealInput = {
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
  notes: 'Recurring revenue, diversified customers.',
};

/** A tenant with two documents about the healthy deal's target and a few companies. */
export function tenantWithDocuments(label: string): TenantData {
  const a = company({ name: `${label} Alpha`, industry: 'software', region: 'Europe', tags: ['saas'] });
  const b = company({ name: `${label} Beta`, industry: 'software', region: 'Europe', tags: ['saas'] });
  return {
    companies: [a, b],
    edges: [edge(a, b, 0.8)],
    documents: [
      doc({
        title: 'Acme Cloud CIM',
        content: 'Acme Cloud is a B2B SaaS vendor with 25% growth.',
        kind: 'cim',
      }),
      doc({ title: 'Acme Cloud news', content: 'Acme Cloud signs a major European customer.', kind: 'news' }),
    ],
    version: `${label}-v1`,
  };
}

export function assessment(citations: string[], overrides: Partial<DealAssessment> = {}): DealAssessment {
  return {
    recommendation: 'proceed_with_conditions',
    confidence: 0.72,
    summary: 'Attractive growth asset at a full but defensible price.',
    risks: [
      {
        category: 'valuation',
        severity: 'medium',
        evidence: 'EV/EBITDA 20x',
        mitigation: 'Earn-out on part of the price.',
      },
    ],
    strengths: ['25% growth'],
    nextSteps: ['Quality of earnings'],
    citations,
    quotes: [],
    ...overrides,
  };
}

/** A Messages API answer whose text block is `text`, as the real API sends it (fixed usage). */
export function messageResponse(text: string, model = 'claude-sonnet-5-5'): FakeResponse {
  const usage = {
    input_tokens: 1200,
    output_tokens: 300,
    cache_read_input_tokens: 900,
    cache_creation_input_tokens: 0,
  };
  return anthropicMessage(text, usage, model);
}

export const apiError = (status: number, type: string): FakeResponse => ({
  status,
  headers: { 'retry-after': '7', 'retry-after-ms': '5', 'x-should-retry': 'true' },
  body: { type: 'error', error: { type, message: `${type} (fake)` } },
});

/** The text of an MCP resource content (text or blob). */
export const textOf = (content: { text: string } | { blob: string } | undefined) =>
  content && 'text' in content ? content.text : '';
