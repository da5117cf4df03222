import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import { RateLimitedError } from '@mna/shared';
import type { ServiceApp } from '@mna/shared/kit';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import '../fastify-types.js';
import type { GatewayRoute } from '../proxy/route-table.js';
import { createSlidingWindowStore } from './sliding-window.store.js';

export type RateLimitSettings = {
  redis: Redis;
  prefix: string;
  windowMs: number;
  publicPerWindow: number;
};

const MINUTE_MS = 60_000;

/** Entitlements are per minute; a differently sized window gets a proportional budget. */
const perWindow = (perMinute: number, windowMs: number) =>
  Math.max(1, Math.ceil((perMinute * windowMs) / MINUTE_MS));

/**
 * Per-tenant rate limits on Redis (shared by replicas), run in `preHandler`, after authentication set
 * the principal, so the key is the tenant and never silently the IP. Unauthenticated (public) routes
 * are limited per client IP; AI analysis routes draw from a separate, stricter bucket.
 */
export async function registerRateLimit(app: ServiceApp, settings: RateLimitSettings) {
  const store = createSlidingWindowStore(settings.redis, settings.prefix, (error) =>
    app.log.error({ err: error }, 'rate-limit store unavailable; request admitted'),
  );
  const options: RateLimitPluginOptions = {
    hook: 'preHandler',
    // Only proxied routes carry a rateLimit config (see rateLimitConfigFor); health, metrics, docs don't.
    global: false,
    timeWindow: settings.windowMs,
    keyGenerator: (request) =>
      request.principal ? `tenant:${request.principal.tenantId}` : `ip:${request.ip}`,
    // A function: the plugin constructs its store with `new`.
    store: function SlidingWindowStore() {
      return store;
    } as unknown as RateLimitPluginOptions['store'],
    enableDraftSpec: true,
    // Redis down: admit (logged) rather than fail every request; the limits are a fairness control.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.ttl / 1000),
  };
  await app.register(rateLimit, options);
}

/** The rate-limit config of one route: its bucket decides key group and budget. */
export function rateLimitConfigFor(settings: Pick<RateLimitSettings, 'windowMs' | 'publicPerWindow'>) {
  return (route: GatewayRoute) => {
    switch (route.bucket) {
      case 'none':
        return false;
      case 'ip':
        return { max: settings.publicPerWindow, groupId: ':public' };
      case 'ai':
        return {
          groupId: ':ai',
          max: async (request: FastifyRequest) =>
            perWindow(request.tenantPlan?.entitlements.aiRequestsPerMinute ?? 1, settings.windowMs),
        };
      default:
        return {
          max: async (request: FastifyRequest) =>
            perWindow(request.tenantPlan?.entitlements.requestsPerMinute ?? 1, settings.windowMs),
        };
    }
  };
}
