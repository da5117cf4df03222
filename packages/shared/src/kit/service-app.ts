import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import './fastify-types.js';
import { errorsPlugin } from './plugins/errors.js';
import { healthPlugin, type ReadinessCheck } from './plugins/health.js';
import { internalAuthPlugin } from './plugins/internal-auth.js';
import { metricsPlugin } from './plugins/metrics.js';
import { genRequestId, requestIdPlugin } from './plugins/request-id.js';
import { validTextPlugin } from './plugins/valid-text.js';

export type ServiceAppOptions = {
  logger: Logger;
  metrics: Metrics;
  /** Named dependency checks for /readyz (e.g. postgres, redis). */
  readiness: Record<string, ReadinessCheck>;
  /** Secret of the gateway-signed internal token; omit only for the gateway itself. */
  internalTokenSecret?: string;
  /** Default body limit in bytes (routes may set their own). */
  bodyLimit?: number;
  trustProxy?: boolean | string;
  /** Serve /metrics on the app's own port (default); false when a private port serves them. */
  serveMetrics?: boolean;
};

/**
 * The Fastify instance every service starts from: zod schemas, request ids on logs and responses,
 * problem+json errors, text checked before it can reach SQL, metrics, health and readiness, and the internal-auth guard.
 */
export async function createServiceApp(options: ServiceAppOptions) {
  const app = Fastify({
    loggerInstance: options.logger,
    genReqId: genRequestId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('draining', false);
  // While draining, keep-alive clients are told to reconnect elsewhere, so in-flight requests finish
  // and their connections close instead of holding shutdown open.
  app.addHook('onSend', async (_request, reply) => {
    if (app.draining) reply.header('connection', 'close');
  });
  await app.register(requestIdPlugin);
  await app.register(errorsPlugin);
  await app.register(validTextPlugin);
  await app.register(metricsPlugin, { metrics: options.metrics, serve: options.serveMetrics ?? true });
  await app.register(healthPlugin, { checks: options.readiness });
  if (options.internalTokenSecret) {
    await app.register(internalAuthPlugin, { secret: options.internalTokenSecret });
  } else {
    app.decorateRequest('principal', null);
  }
  return app;
}

export type ServiceApp = Awaited<ReturnType<typeof createServiceApp>>;
export type { FastifyInstance };
