import { type DealAssessment, DealAssessmentSchema } from '@mna/shared';
import { askStructured, type StructuredDeps } from '../llm/structured.js';
import type { Deal, DealMetrics } from './deal-metrics.js';
import type { Evidence } from './evidence.js';
import { DEAL_SYSTEM_PROMPT } from './prompt.js';

export type ClaudeAnalystDeps = StructuredDeps;

function userMessage(deal: Deal, metrics: DealMetrics, evidence: Evidence): string {
  const excerpts = evidence.excerpts.map((e) => `[document ${e.documentId}] ${e.title}: ${e.snippet}`);
  return [
    'Analyse this deal.',
    `Deal: ${JSON.stringify(deal)}`,
    `Computed metrics: ${JSON.stringify({
      enterpriseValue: metrics.enterpriseValue,
      ebitdaMargin: metrics.ebitdaMargin,
      netDebtToEbitda: metrics.leverage,
      missingInputs: metrics.missing,
      valuation: metrics.valuation,
    })}`,
    excerpts.length ? `Document excerpts:\n${excerpts.join('\n')}` : 'Document excerpts: none available.',
  ].join('\n\n');
}

/**
 * Claude's assessment, forced into the contract's schema with structured output and parsed again
 * with zod here; citations are kept only when they name a document that was actually provided.
 */
export function createClaudeAnalyst(deps: ClaudeAnalystDeps) {
  return async function assess(
    deal: Deal,
    metrics: DealMetrics,
    evidence: Evidence,
  ): Promise<DealAssessment> {
    const assessment = await askStructured(deps, {
      operation: 'deal_analysis',
      system: DEAL_SYSTEM_PROMPT,
      user: userMessage(deal, metrics, evidence),
      schema: DealAssessmentSchema,
    });
    const known = new Set(evidence.excerpts.map((e) => e.documentId));
    return { ...assessment, citations: [...new Set(assessment.citations.filter((id) => known.has(id)))] };
  };
}

export type ClaudeAnalyst = ReturnType<typeof createClaudeAnalyst>;
