import type { Metrics } from '@mna/shared';
import { Counter, Histogram, type Metric } from 'prom-client';

/** One metric per name and registry: the HTTP app and a worker may share a process (and a registry). */
function once<M extends Metric>(metrics: Metrics, name: string, make: () => M): M {
  return (metrics.registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** Token usage and latency of model calls, per operation and model, on the service's registry. */
export function createLlmMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const tokens = once(
    metrics,
    'ai_llm_tokens_total',
    () =>
      new Counter({
        name: 'ai_llm_tokens_total',
        help: 'Tokens used by model calls, by operation, model and kind (input, output, cache_read, cache_write)',
        labelNames: ['operation', 'model', 'kind'] as const,
        registers,
      }),
  );
  const duration = once(
    metrics,
    'ai_llm_request_duration_seconds',
    () =>
      new Histogram({
        name: 'ai_llm_request_duration_seconds',
        help: 'Latency of model calls (retries included), by operation, model and outcome',
        labelNames: ['operation', 'model', 'outcome'] as const,
        buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 120],
        registers,
      }),
  );
  const cache = once(
    metrics,
    'ai_cache_requests_total',
    () =>
      new Counter({
        name: 'ai_cache_requests_total',
        help: 'AI result cache lookups by operation and result (hit, miss, shared)',
        labelNames: ['operation', 'result'] as const,
        registers,
      }),
  );
  return { tokens, duration, cache };
}

export type LlmMetrics = ReturnType<typeof createLlmMetrics>;
