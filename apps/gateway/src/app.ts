import { createInternalTokenCache, createServiceClient, type Metrics } from '@mna/shared';
import { createServiceApp, pingRedis, type Redis, registerDependencyMetrics } from '@mna/shared/kit';
import type { Logger } from 'pino';
import { request } from 'undici';
import { authPlugin } from './auth/auth.plugin.js';
import {
  authorizationServerOf,
  bearerChallenge,
  registerProtectedResource,
  resourceMetadataUrl,
} from './auth/protected-resource.js';
import { createTokenVerifier, type TokenVerifierSettings } from './auth/token-verifier.js';
import type { GatewayConfig } from './config.js';
import { registerDocs } from './docs/docs.plugin.js';
import { buildOpenApiDocument } from './docs/openapi.js';
import { createEntitlementsService } from './entitlements/entitlements.service.js';
import { registerHttpConventions } from './http/conventions.js';
import { registerIdempotency } from './idempotency/idempotency.js';
import { registerHardening } from './plugins/hardening.js';
import { registerProxy, type Upstream } from './proxy/proxy.plugin.js';
import { buildRouteTable } from './proxy/route-table.js';
import { createUpstreamMetrics } from './proxy/upstream-metrics.js';
import { registerAnalysisQuota } from './quota/analysis-quota.js';
import { rateLimitConfigFor, registerRateLimit } from './rate-limit/rate-limit.js';

export type GatewayDeps = {
  config: GatewayConfig;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  /** From resolveAuth(config): Clerk's settings, or the development key pair's. */
  auth: TokenVerifierSettings;
};

/** A service's own /readyz, as one of the gateway's readiness checks. */
const serviceReady = (baseUrl: string) => async () => {
  const { statusCode, body } = await request(new URL('/readyz', baseUrl), {
    headersTimeout: 900,
    bodyTimeout: 900,
  });
  await body.dump();
  if (statusCode !== 200) throw new Error(`readyz answered ${statusCode}`);
};

/** The public gateway's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: GatewayDeps) {
  const { config } = deps;
  const upstreams: Upstream[] = [
    { name: 'search', baseUrl: config.SEARCH_SERVICE_URL },
    { name: 'ai', baseUrl: config.AI_SERVICE_URL },
    { name: 'billing', baseUrl: config.BILLING_SERVICE_URL },
  ];
  const redisReady = () => pingRedis(deps.redis);
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // The kit types trustProxy as boolean | string; Fastify also takes a hop count at run time.
    trustProxy: config.TRUST_PROXY as boolean | string,
    // The gateway's own readiness only (its Redis; draining is added by the kit): one sick service must
    // not take the whole API out of the load balancer. Its routes answer 503 through its circuit instead.
    readiness: { redis: redisReady },
    // /metrics is served on METRICS_PORT (private network), never on the public port.
    serveMetrics: false,
  });
  // mna_dependency_up{dependency}: Redis and each service's /readyz, probed per scrape, so an upstream's
  // health is visible (and alerted on) without failing the gateway's readiness.
  registerDependencyMetrics(deps.metrics.registry, {
    redis: redisReady,
    ...Object.fromEntries(upstreams.map((u) => [u.name, serviceReady(u.baseUrl)])),
  });
  const billing = createServiceClient({
    service: 'billing',
    baseUrl: config.BILLING_SERVICE_URL,
    internalTokenSecret: config.INTERNAL_TOKEN_SECRET,
    timeoutMs: config.ENTITLEMENTS_TIMEOUT_MS,
    connections: 8,
  });
  app.addHook('onClose', async () => billing.close());
  const routes = buildRouteTable(config);

  await registerHardening(app, {
    production: config.NODE_ENV === 'production',
    corsOrigins: config.CORS_ORIGINS,
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: config.MAX_HEAP_USED_BYTES,
    maxEventLoopUtilization: config.MAX_EVENT_LOOP_UTILIZATION,
  });
  await app.register(authPlugin, {
    verifier: createTokenVerifier(deps.auth),
    entitlements: createEntitlementsService({
      billing,
      logger: deps.logger,
      ttlMs: config.ENTITLEMENTS_CACHE_MS,
      timeoutMs: config.ENTITLEMENTS_TIMEOUT_MS,
    }),
    platformAdminUserIds: config.PLATFORM_ADMIN_USER_IDS,
    challenge: (request, invalidToken) =>
      bearerChallenge(resourceMetadataUrl(config.PUBLIC_URL, request), invalidToken),
  });
  await registerProtectedResource(app, {
    publicUrl: config.PUBLIC_URL,
    authorizationServer: authorizationServerOf(config),
  });
  const limits = {
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    publicPerWindow: config.RATE_LIMIT_PUBLIC_PER_WINDOW,
  };
  await registerRateLimit(app, { ...limits, redis: deps.redis, prefix: `${config.REDIS_PREFIX}:gw:rl:` });
  // Before idempotency: its onSend stores the answer with the Location this adds.
  await registerHttpConventions(app, routes);
  await registerIdempotency(app, { redis: deps.redis, prefix: `${config.REDIS_PREFIX}:gw:idem:` });
  await registerAnalysisQuota(app, { redis: deps.redis, prefix: `${config.REDIS_PREFIX}:gw:quota:` });
  await registerDocs(app, buildOpenApiDocument(routes));
  await registerProxy(app, {
    upstreams,
    routes,
    internalTokenFor: createInternalTokenCache({
      secret: config.INTERNAL_TOKEN_SECRET,
      ttlSeconds: config.INTERNAL_TOKEN_TTL_S,
      reuseMs: config.INTERNAL_TOKEN_REUSE_MS,
      maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
    }),
    connections: config.UPSTREAM_CONNECTIONS,
    circuit: {
      failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
      cooldownMs: config.CIRCUIT_COOLDOWN_MS,
      maxTenantShare: config.CIRCUIT_TENANT_SHARE,
    },
    metrics: createUpstreamMetrics(deps.metrics),
    rateLimitConfig: rateLimitConfigFor(limits),
  });
  return app;
}
