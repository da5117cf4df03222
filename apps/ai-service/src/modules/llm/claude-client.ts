import Anthropic, { AnthropicError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { GatewayTimeoutError, ServiceUnavailableError, UpstreamError } from '@mna/shared';
import type { Logger } from 'pino';
import type { AiConfig } from '../../config.js';
import type { LlmMetrics } from './llm-metrics.js';

export type ClaudeSettings = Pick<
  AiConfig,
  | 'ANTHROPIC_API_KEY'
  | 'ANTHROPIC_BASE_URL'
  | 'ANTHROPIC_MODEL'
  | 'ANTHROPIC_TIMEOUT_MS'
  | 'ANTHROPIC_MAX_RETRIES'
>;

/** Default Retry-After, in seconds, when Anthropic gives none. */
const DEFAULT_RETRY_AFTER_S = 30;

function retryAfterOf(error: APIError): number {
  const header = error.headers?.get('retry-after');
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_S;
}

/**
 * Maps what the SDK throws (after its own retries) to the service's errors: rate limits and overload
 * (429, 529, 503) are a 503 with Retry-After, a timeout a 504, malformed or schema-violating output
 * and any other upstream failure a 502. Nothing here becomes a 500.
 */
export function toClaudeError(error: unknown): Error {
  if (error instanceof APIConnectionTimeoutError)
    return new GatewayTimeoutError('Claude did not answer in time.');
  if (error instanceof APIError) {
    if (error.status === 429 || error.status === 529 || error.status === 503) {
      const kind = error.status === 429 ? 'rate-limited' : 'overloaded';
      return new ServiceUnavailableError(`Claude is ${kind}; retry later.`, retryAfterOf(error));
    }
    return new UpstreamError(`Claude request failed${error.status ? ` (${error.status})` : ''}.`, error);
  }
  if (error instanceof AnthropicError) {
    return new UpstreamError('Claude answered outside the expected schema.', error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The configured Anthropic client, or null when no key is set (the local analyst answers then). */
export function createClaudeClient(settings: ClaudeSettings): Anthropic | null {
  if (!settings.ANTHROPIC_API_KEY) return null;
  return new Anthropic({
    apiKey: settings.ANTHROPIC_API_KEY,
    ...(settings.ANTHROPIC_BASE_URL ? { baseURL: settings.ANTHROPIC_BASE_URL } : {}),
    timeout: settings.ANTHROPIC_TIMEOUT_MS,
    maxRetries: settings.ANTHROPIC_MAX_RETRIES,
  });
}

type Usage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

/** Times a model call and records its tokens; rethrows mapped errors. */
export async function instrumented<T extends { usage: Usage }>(
  deps: { metrics: LlmMetrics; logger: Logger },
  labels: { operation: string; model: string },
  call: () => Promise<T>,
): Promise<T> {
  const stop = deps.metrics.duration.startTimer(labels);
  try {
    const result = await call();
    stop({ outcome: 'ok' });
    const u = result.usage;
    deps.metrics.tokens.inc({ ...labels, kind: 'input' }, u.input_tokens);
    deps.metrics.tokens.inc({ ...labels, kind: 'output' }, u.output_tokens);
    deps.metrics.tokens.inc({ ...labels, kind: 'cache_read' }, u.cache_read_input_tokens ?? 0);
    deps.metrics.tokens.inc({ ...labels, kind: 'cache_write' }, u.cache_creation_input_tokens ?? 0);
    return result;
  } catch (error) {
    const mapped = toClaudeError(error);
    stop({ outcome: mapped.name });
    deps.logger.warn({ err: error, ...labels }, 'claude call failed');
    throw mapped;
  }
}
