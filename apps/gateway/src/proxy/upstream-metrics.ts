import { HTTP_BUCKETS, type Metrics } from '@mna/shared';
import { Gauge, Histogram } from 'prom-client';

/** Upstream latency by service and the circuit state per upstream, on the process registry. */
export function createUpstreamMetrics(metrics: Metrics) {
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time from sending a request upstream to its response headers (or failure), by service',
    labelNames: ['service', 'outcome'] as const,
    buckets: HTTP_BUCKETS,
    registers: [metrics.registry],
  });
  const circuitState = new Gauge({
    name: 'gateway_circuit_state',
    help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
    labelNames: ['service'] as const,
    registers: [metrics.registry],
  });
  return { upstreamDuration, circuitState };
}

export type UpstreamMetrics = ReturnType<typeof createUpstreamMetrics>;
