import type Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { UpstreamError } from '@mna/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { instrumented } from './claude-client.js';
import type { LlmMetrics } from './llm-metrics.js';

export type StructuredDeps = {
  client: Anthropic;
  model: string;
  maxTokens: number;
  metrics: LlmMetrics;
  logger: Logger;
};

export type StructuredRequest<S extends z.ZodType> = {
  /** Metrics label (`deal_analysis`, `partner_rationale`). */
  operation: string;
  /** Standing instructions, sent with cache_control so repeated calls reuse them. */
  system: string;
  /** The user turn: text, or content blocks (documents first, with their own cache breakpoint). */
  user: string | Anthropic.Messages.ContentBlockParam[];
  schema: S;
};

/**
 * One Claude call with structured output: the answer is forced into `schema` (the SDK's zod output
 * format) and parsed again with zod here, so a schema-violating answer is a 502, never passed on.
 */
export async function askStructured<S extends z.ZodType>(
  deps: StructuredDeps,
  request: StructuredRequest<S>,
): Promise<z.output<S>> {
  const message = await instrumented(deps, { operation: request.operation, model: deps.model }, () =>
    deps.client.messages.parse({
      model: deps.model,
      max_tokens: deps.maxTokens,
      system: [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: request.user }],
      output_config: { format: zodOutputFormat(request.schema) },
    }),
  );
  const parsed = request.schema.safeParse(message.parsed_output);
  if (!parsed.success) throw new UpstreamError('Claude answered outside the expected schema.', parsed.error);
  return parsed.data;
}
