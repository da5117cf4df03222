import type Anthropic from '@anthropic-ai/sdk';
import { type DealAssessment, DealAssessmentSchema } from '@mna/shared';
import { askStructured, type StructuredDeps } from '../llm/structured.js';
import type { Deal, DealMetrics } from './deal-metrics.js';
import type { Evidence } from './evidence.js';
import { DEAL_SYSTEM_PROMPT } from './prompt.js';

export type ClaudeAnalystDeps = StructuredDeps;

/**
 * The user turn: every passage as a document block (title, documentId and chunkId in its context),
 * the last one carrying a cache breakpoint so system prompt + passages are one cached prefix that
 * repeated analyses of the same documents reuse; then the deal itself, which changes per call.
 * The API's own `citations` on document blocks cannot be combined with structured output (the API
 * refuses the pair), so Claude returns `quotes` in the schema and the service checks them.
 */
export function dealContent(
  deal: Deal,
  metrics: DealMetrics,
  evidence: Evidence,
): Anthropic.Messages.ContentBlockParam[] {
  const documents: Anthropic.Messages.DocumentBlockParam[] = evidence.passages.map((p, i) => ({
    type: 'document',
    source: { type: 'text', media_type: 'text/plain', data: p.text },
    title: p.title,
    context: `documentId=${p.documentId} chunkId=${p.chunkId} kind=${p.kind}`,
    ...(i === evidence.passages.length - 1 ? { cache_control: { type: 'ephemeral' as const } } : {}),
  }));
  const text = [
    'Analyse this deal.',
    `Deal: ${JSON.stringify(deal)}`,
    `Computed metrics: ${JSON.stringify({
      enterpriseValue: metrics.enterpriseValue,
      ebitdaMargin: metrics.ebitdaMargin,
      netDebtToEbitda: metrics.leverage,
      missingInputs: metrics.missing,
      valuation: metrics.valuation,
    })}`,
    documents.length
      ? `Document passages: the ${documents.length} document block(s) above.`
      : 'Document passages: none available.',
  ].join('\n\n');
  return [...documents, { type: 'text', text }];
}

/**
 * Claude's assessment, forced into the contract's schema with structured output and parsed again
 * with zod here; citations are kept only when they name a document that was actually provided
 * (quotes are checked against their chunks by the analysis service, for every provider).
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
      user: dealContent(deal, metrics, evidence),
      schema: DealAssessmentSchema,
    });
    const known = new Set(evidence.documentIds);
    return { ...assessment, citations: [...new Set(assessment.citations.filter((id) => known.has(id)))] };
  };
}

export type ClaudeAnalyst = ReturnType<typeof createClaudeAnalyst>;
