import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Request-duration buckets in seconds; 0.05 and 0.2 mark the latency targets the alerts use. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

/** One registry per process, with default Node metrics and the HTTP request histogram. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}

export type Metrics = ReturnType<typeof createMetrics>;
