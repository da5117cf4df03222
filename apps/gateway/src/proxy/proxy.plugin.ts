import replyFrom from '@fastify/reply-from';
import {
  GatewayTimeoutError,
  type InternalTokenFor,
  PROBLEM_CONTENT_TYPE,
  ServiceUnavailableError,
  UpstreamError,
} from '@mna/shared';
import type { ServiceApp } from '@mna/shared/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'undici';
import '../fastify-types.js';
import { CIRCUIT_STATE_VALUE, type CircuitBreaker, createCircuitBreaker } from './circuit-breaker.js';
import { forwardHeaders } from './forward-headers.js';
import type { GatewayRoute, ServiceName } from './route-table.js';
import type { UpstreamMetrics } from './upstream-metrics.js';

export type Upstream = { name: ServiceName; baseUrl: string };

export type ProxyOptions = {
  upstreams: Upstream[];
  routes: GatewayRoute[];
  /** The signed internal token for a principal (reused for a few seconds, see internal-token-cache). */
  internalTokenFor: InternalTokenFor;
  connections: number;
  circuit: { failureThreshold: number; cooldownMs: number; maxTenantShare: number };
  metrics: UpstreamMetrics;
  /** Per-route rate-limit config, from the rate-limit module. */
  rateLimitConfig: (route: GatewayRoute) => Record<string, unknown> | false;
};

/**
 * Upstream answers that say the upstream is unhealthy: a bad gateway or a timeout behind it. A 500 does
 * not count (one request's input can cause it; the upstream answered), nor a 4xx. A 503 counts only
 * when it is not the service's own problem+json: those are deliberate and per route (billing without
 * Stripe settings, a busy database with Retry-After), and opening the circuit would take every other
 * route of that service down with them; a 503 from a proxy in front or a service shutting down counts.
 */
function isUnhealthyAnswer(statusCode: number, contentType: unknown): boolean {
  if (statusCode === 502 || statusCode === 504) return true;
  return statusCode === 503 && !String(contentType ?? '').startsWith(PROBLEM_CONTENT_TYPE);
}
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function upstreamFailure(service: ServiceName, route: GatewayRoute, error: Error & { code?: string }) {
  const cause = (error.cause ?? {}) as { code?: string };
  if (
    error.code === 'FST_REPLY_FROM_GATEWAY_TIMEOUT' ||
    (error as { statusCode?: number }).statusCode === 504
  ) {
    return {
      outcome: 'timeout',
      error: new GatewayTimeoutError(`${service} did not answer within ${route.timeoutMs} ms.`),
    };
  }
  if (UNREACHABLE_CODES.has(cause.code ?? '') || UNREACHABLE_CODES.has(error.code ?? '')) {
    return { outcome: 'unreachable', error: new ServiceUnavailableError(`${service} is unreachable.`, 5) };
  }
  return { outcome: 'error', error: new UpstreamError(`${service} failed to answer.`) };
}

/** Registers one upstream's routes in their own context: its undici pool, raw body parsing, breaker. */
async function upstreamContext(app: FastifyInstance, opts: ProxyOptions & { upstream: Upstream }) {
  const { upstream, metrics } = opts;
  metrics.circuitState.set({ service: upstream.name }, 0);
  const breaker: CircuitBreaker = createCircuitBreaker({
    ...opts.circuit,
    onStateChange: (state) => {
      metrics.circuitState.set({ service: upstream.name }, CIRCUIT_STATE_VALUE[state]);
      app.log.warn({ upstream: upstream.name, state }, 'circuit state changed');
    },
  });
  // Our own pool (one per upstream) so the proxy can see whether a request had to queue for a connection.
  const pool = new Pool(upstream.baseUrl, {
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: 2_000 },
  });
  await app.register(replyFrom, {
    base: upstream.baseUrl,
    undici: pool as never,
    disableRequestLogging: true,
  });
  // Bodies are forwarded as the bytes received (services validate them against the contracts); the
  // route's bodyLimit applies while they are read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // When this upstream last answered a request successfully (performance.now()).
  let lastHealthyAnswerAt = Number.NEGATIVE_INFINITY;

  async function proxy(request: FastifyRequest, reply: FastifyReply) {
    const route = request.routeOptions.config.gateway!;
    // The client already hung up (while authenticating or reading the body): nobody to answer.
    if (request.raw.socket?.destroyed) return reply.hijack();
    const gate = breaker.tryAcquire();
    if (!gate.allowed) {
      throw new ServiceUnavailableError(
        `${upstream.name} is temporarily unavailable.`,
        gate.retryAfterMs / 1000,
      );
    }
    const token = request.principal ? await opts.internalTokenFor(request.principal) : null;
    const started = performance.now();
    // Every connection busy and requests already waiting: a timeout now measures the gateway's own
    // backlog, not the upstream, so it must not count towards opening the circuit.
    const congested = pool.stats.pending > 0;
    // Whose share a failure of this request counts against (see the breaker's maxTenantShare).
    const tenant = request.principal?.tenantId ?? 'anonymous';
    let settled = false;
    /** `failure`: 'tenant' when it answers this request, 'upstream' when it is the upstream's own state. */
    const settle = (failure: 'tenant' | 'upstream' | null, outcome: string) => {
      if (settled) return;
      settled = true;
      if (failure === null) {
        lastHealthyAnswerAt = performance.now();
        breaker.onSuccess();
      } else breaker.onFailure(failure === 'tenant' ? tenant : undefined);
      metrics.upstreamDuration.observe(
        { service: upstream.name, outcome },
        (performance.now() - started) / 1000,
      );
    };
    // undici's headersTimeout runs on coarse (~1 s) timers; this native timer answers 504 on time.
    const deadline = setTimeout(() => {
      if (settled || reply.sent) return;
      // The upstream answered other requests while this one waited: it is alive and this request was
      // slow (or queued behind others). A 504 for this one; opening the circuit would refuse everyone.
      const answering = lastHealthyAnswerAt > started;
      if (congested || answering) {
        settled = true;
        breaker.onAbandon(gate.trial);
        metrics.upstreamDuration.observe(
          { service: upstream.name, outcome: congested ? 'timeout-queued' : 'timeout-slow' },
          route.timeoutMs / 1000,
        );
      } else {
        settle('upstream', 'timeout'); // nothing answered meanwhile: the upstream hangs
      }
      reply.send(new GatewayTimeoutError(`${upstream.name} did not answer within ${route.timeoutMs} ms.`));
    }, route.timeoutMs);
    // A client that disconnects first says nothing about the upstream (reply-from then skips our
    // callbacks): stop the clock, count neither success nor failure.
    reply.raw.once('close', () => {
      clearTimeout(deadline);
      if (settled) return;
      settled = true;
      breaker.onAbandon(gate.trial);
      metrics.upstreamDuration.observe(
        { service: upstream.name, outcome: 'abandoned' },
        (performance.now() - started) / 1000,
      );
    });
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    return reply.from(undefined, {
      timeout: route.timeoutMs,
      // Never retry: a POST must reach its upstream exactly once (reply-from retries GETs on 503 otherwise).
      retryDelay: () => null,
      rewriteRequestHeaders: (_req, headers) => forwardHeaders(request, headers, token),
      ...(body
        ? { body, contentType: String(request.headers['content-type'] ?? 'application/octet-stream') }
        : {}),
      onResponse: (_req, res, response) => {
        clearTimeout(deadline);
        if (res.sent) {
          response.stream.destroy();
          return;
        }
        const unhealthy = isUnhealthyAnswer(response.statusCode, res.getHeader('content-type'));
        settle(unhealthy ? 'tenant' : null, `${Math.floor(response.statusCode / 100)}xx`);
        res.send(response.stream);
      },
      onError: (res, { error }) => {
        clearTimeout(deadline);
        if (res.sent) return;
        const failure = upstreamFailure(upstream.name, route, error as Error & { code?: string });
        settle(failure.outcome === 'unreachable' ? 'upstream' : 'tenant', failure.outcome);
        res.send(failure.error);
      },
    });
  }

  for (const route of opts.routes.filter((r) => r.service === upstream.name)) {
    app.route({
      method: route.method,
      url: route.path,
      bodyLimit: route.bodyLimit,
      config: { gateway: route, rateLimit: opts.rateLimitConfig(route) },
      handler: proxy,
    });
  }
}

/** Proxies every route of the table to its service, each upstream with its own pool and breaker. */
export async function registerProxy(app: ServiceApp, opts: ProxyOptions) {
  for (const upstream of opts.upstreams) {
    await app.register(async (child) => upstreamContext(child, { ...opts, upstream }));
  }
}
