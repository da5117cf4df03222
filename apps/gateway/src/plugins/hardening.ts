import cors, { type FastifyCorsOptions, type FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
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

/** The local frontends (Vite, Next/CRA) a developer runs, allowed outside production. */
export const DEV_ORIGINS = [
  'http://localhost:5173',
  'http://localhost:3000',
  'http://127.0.0.1:5173',
  'http://127.0.0.1:3000',
];
/** Every method the API routes, PATCH and PUT included. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-request-id',
  'traceparent',
  'tracestate',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
];
const EXPOSED_HEADERS = [
  'x-request-id',
  'traceparent',
  'location',
  'idempotent-replayed',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'www-authenticate',
  'mcp-session-id',
];

/**
 * The API answers CORS only for its allowlist (credentials, never a wildcard): `CORS_ORIGINS`, plus
 * the local frontends outside production. Discovery documents under /.well-known are public: any
 * origin, no credentials (a browser MCP client reads them before it has a token).
 */
function corsDelegator(settings: HardeningSettings): FastifyCorsOptionsDelegateCallback {
  const allowed = new Set([...settings.corsOrigins, ...(settings.production ? [] : DEV_ORIGINS)]);
  const shared = {
    methods: METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  };
  const api: FastifyCorsOptions = {
    ...shared,
    credentials: true,
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
  };
  const discovery: FastifyCorsOptions = { ...shared, methods: ['GET', 'HEAD'], origin: '*' };
  return (request, callback) => callback(null, request.url.startsWith('/.well-known/') ? discovery : api);
}

/**
 * Security headers (an API's CSP: nothing may load, nothing may frame us; HSTS in production), CORS
 * (see corsDelegator), and load shedding: when the event loop
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
  await app.register(cors, { delegator: corsDelegator(settings) });
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
