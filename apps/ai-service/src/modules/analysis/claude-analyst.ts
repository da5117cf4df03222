import type Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { type DealAssessment, DealAssessmentSchema, UpstreamError } from '@mna/shared';
import type { Logger } from 'pino';
import { instrumented } from '../llm/claude-client.js';
import type { LlmMetrics } from '../llm/llm-metrics.js';
import type { Deal, DealMetrics } from './deal-metrics.js';
import type { Evidence } from './evidence.js';
import { DEAL_SYSTEM_PROMPT } from './prompt.js';

export type ClaudeAnalystDeps = {
  client: Anthropic;
  model: string;
  maxTokens: number;
  metrics: LlmMetrics;
  logger: Logger;
};

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
    const message = await instrumented(deps, { operation: 'deal_analysis', model: deps.model }, () =>
      deps.client.messages.parse({
        model: deps.model,
        max_tokens: deps.maxTokens,
        system: [{ type: 'text', text: DEAL_SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: userMessage(deal, metrics, evidence) }],
        output_config: { format: zodOutputFormat(DealAssessmentSchema) },
      }),
    );
    const parsed = DealAssessmentSchema.safeParse(message.parsed_output);
    if (!parsed.success)
      throw new UpstreamError('Claude answered outside the expected schema.', parsed.error);
    const known = new Set(evidence.excerpts.map((e) => e.documentId));
    return { ...parsed.data, citations: [...new Set(parsed.data.citations.filter((id) => known.has(id)))] };
  };
}

export type ClaudeAnalyst = ReturnType<typeof createClaudeAnalyst>;
