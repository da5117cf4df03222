import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import underPressure from '@fastify/under-pressure';
import { ServiceUnavailableError } from '@mna/shared';
import { type ServiceApp, sendProblem } from '@mna/shared/kit';

export type HardeningSettings = {
  production: boolean;
  corsOrigins: string[];
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
  maxEventLoopUtilization?: number | undefined;
};

/**
 * Security headers (an API's CSP: nothing may load, nothing may frame us; HSTS in production), CORS
 * from an explicit allowlist (credentials, never a wildcard), and load shedding: when the event loop
 * lags, is saturated, or the heap is near its limit, requests answer 503 with Retry-After at once.
 */
export async function registerHardening(app: ServiceApp, settings: HardeningSettings) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    },
    hsts: settings.production ? { maxAge: 31_536_000, includeSubDomains: true, preload: false } : false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  const allowed = new Set(settings.corsOrigins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'x-request-id',
      'mcp-session-id',
      'mcp-protocol-version',
      'last-event-id',
    ],
    exposedHeaders: [
      'x-request-id',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'retry-after',
      'mcp-session-id',
    ],
    maxAge: 600,
  });
  await app.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    maxHeapUsedBytes: settings.maxHeapUsedBytes,
    ...(settings.maxEventLoopUtilization
      ? { maxEventLoopUtilization: settings.maxEventLoopUtilization }
      : {}),
    retryAfter: 10,
    pressureHandler: (request, reply, type) => {
      request.log.warn({ pressure: type }, 'shedding load');
      const error = new ServiceUnavailableError('The gateway is overloaded; retry shortly.', 10);
      sendProblem(reply, error.toProblem(request.id), error.headers);
    },
  });
}
