import fp from 'fastify-plugin';
import type { Metrics } from '../../metrics.js';

/**
 * Records every response under its route template (never the raw URL) and serves /metrics, unless
 * `serve` is false (the gateway serves them on a private port instead: createMetricsServer).
 */
export const metricsPlugin = fp<{ metrics: Metrics; serve?: boolean }>(
  async (app, { metrics, serve = true }) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequestDuration.observe(
        { method: request.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
        reply.elapsedTime / 1000,
      );
    });
    if (!serve) return;
    app.get('/metrics', { config: { auth: 'public' }, logLevel: 'warn' }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'mna-metrics' },
);
