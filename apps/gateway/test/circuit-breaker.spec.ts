import type { AddressInfo } from 'node:net';
import { createLogger, createMetrics, GatewayTimeoutError, searchRoutes, UpstreamError } from '@mna/shared';
import { createServiceApp, mountRoute } from '@mna/shared/kit';
import { TEST_INTERNAL_SECRET } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  closeUpstreams,
  type Gateway,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

// Five requests with a NUL byte answered 500 at search-service, and the gateway's breaker (which
// counted 500s) then refused every tenant's search and document routes for the cool-down. The
// breaker now counts the upstream's health only: connection failures, timeouts, 502/503/504, and a
// tenant's share of those is capped, so one tenant's traffic cannot open it for all.

/** A search-service whose answer the query picks: a crash caused by this input, or a bad gateway. */
async function startPickySearch() {
  const app = await createServiceApp({
    logger: createLogger({ service: 'search-service', level: 'silent' }),
    metrics: createMetrics('search-service'),
    readiness: {},
    internalTokenSecret: TEST_INTERNAL_SECRET,
  });
  mountRoute(app, searchRoutes.search, async ({ body }, reply) => {
    if (body.query === 'proxy-503') {
      // What a load balancer in front of a stopped service answers: not the service's own problem.
      await reply.code(503).type('text/html').send('<h1>503 Service Unavailable</h1>');
      return undefined;
    }
    if (body.query === 'crash') throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
    if (body.query === 'bad-gateway') throw new UpstreamError('the embedder answered nonsense');
    if (body.query === 'too-slow') throw new GatewayTimeoutError('the query took too long');
    return { results: [], nextCursor: null, tookMs: 1 };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

let upstreams: Upstreams;
let search: Awaited<ReturnType<typeof startPickySearch>>;
const THRESHOLD = 4;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_a: 'enterprise', org_b: 'enterprise' });
  search = await startPickySearch();
});
afterAll(async () => {
  await search.app.close();
  await closeUpstreams(upstreams);
});

async function withGateway(fn: (gw: Gateway) => Promise<void>) {
  const gw = await startGateway(
    { ...upstreams, search: { ...upstreams.search, url: search.url } },
    { env: { CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD), CIRCUIT_COOLDOWN_MS: '30000' } },
  );
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

const searchAs = async (gw: Gateway, org: string, query: string) =>
  gw.app.inject({
    method: 'POST',
    url: '/v1/search',
    headers: bearer(await sessionToken(gw.keys, org)),
    payload: { query, mode: 'keyword' },
  });

const circuitState = async (gw: Gateway) => {
  const metrics = await gw.scrape();
  return Number(/gateway_circuit_state\{service="search"[^}]*\} (\d)/.exec(metrics.body)?.[1]);
};

describe('the circuit breaker counts the upstream’s health, not the caller’s input', () => {
  it('a 500 caused by one request, or a 4xx, never opens it', async () => {
    await withGateway(async (gw) => {
      for (let i = 0; i < THRESHOLD * 2; i++) {
        expect((await searchAs(gw, 'org_a', 'crash')).statusCode).toBe(500);
      }
      for (let i = 0; i < THRESHOLD * 2; i++) {
        expect((await searchAs(gw, 'org_a', 'a\u0000b')).statusCode).toBe(400);
      }
      expect(await circuitState(gw)).toBe(0);
      expect((await searchAs(gw, 'org_b', 'deal')).statusCode).toBe(200);
    });
  });

  it('one tenant’s 502/504s do not open it for everyone; failures from a second tenant do', async () => {
    await withGateway(async (gw) => {
      for (let i = 0; i < THRESHOLD * 2; i++) {
        expect((await searchAs(gw, 'org_a', i % 2 ? 'bad-gateway' : 'too-slow')).statusCode).toBe(
          i % 2 ? 502 : 504,
        );
      }
      expect(await circuitState(gw)).toBe(0);
      for (let i = 0; i < THRESHOLD / 2; i++) {
        expect((await searchAs(gw, 'org_b', 'proxy-503')).statusCode).toBe(503);
      }
      expect(await circuitState(gw)).toBe(2);
      const refused = await searchAs(gw, 'org_b', 'deal');
      expect(refused.statusCode).toBe(503);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});
