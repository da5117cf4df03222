/**
 * The traffic mix of the whole-platform test, sent through the gateway over `connections` keep-alive
 * connections, each a loop that picks a route by weight and a tenant at random. Latency is measured per
 * request on the client (send to last byte), per route.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { Stack } from './stack.js';

type Outcome = { route: string; status: number; ms: number; body?: string };
type Tenant = Stack['tenants'][number];
type Route = {
  name: string;
  weight: number;
  build: (
    tenant: Tenant,
    stack: Stack,
  ) => {
    method: 'GET' | 'POST';
    path: string;
    body?: string;
    auth: boolean;
    headers?: Record<string, string>;
  };
  /** Keep the response body (ids of accepted documents and events are checked afterwards). */
  keep?: boolean;
};

const WORDS =
  'acquisition merger fintech payments logistics synergy ebitda carve-out buyout platform saas healthcare cybersecurity due-diligence valuation integration'.split(
    ' ',
  );
const words = (n: number) =>
  Array.from({ length: n }, () => WORDS[Math.floor(Math.random() * WORDS.length)]).join(' ');
const QUERIES = [
  'fintech acquisition',
  'healthcare platform buyout',
  'cybersecurity carve-out',
  'logistics synergy',
  'saas valuation',
];

export const ROUTES: Route[] = [
  {
    name: 'POST /v1/search',
    weight: 40,
    build: () => ({
      method: 'POST',
      path: '/v1/search',
      auth: true,
      body: JSON.stringify({
        query: QUERIES[Math.floor(Math.random() * QUERIES.length)],
        mode: 'hybrid',
        limit: 10,
      }),
    }),
  },
  {
    name: 'GET /v1/billing/plans',
    weight: 15,
    build: () => ({ method: 'GET', path: '/v1/billing/plans?currency=usd', auth: true }),
  },
  {
    name: 'GET /v1/billing/subscription',
    weight: 10,
    build: () => ({ method: 'GET', path: '/v1/billing/subscription', auth: true }),
  },
  {
    name: 'GET /v1/companies?q=',
    weight: 5,
    build: () => ({ method: 'GET', path: '/v1/companies?q=fin', auth: true }),
  },
  {
    name: 'POST /v1/documents',
    weight: 15,
    keep: true,
    build: () => ({
      method: 'POST',
      path: '/v1/documents',
      auth: true,
      body: JSON.stringify({
        externalId: randomUUID(),
        kind: 'deal_memo',
        title: `Memo ${words(4)}`,
        content: words(300),
      }),
    }),
  },
  {
    name: 'POST /v1/ai/deals/analyze',
    weight: 5,
    build: () => ({
      method: 'POST',
      path: '/v1/ai/deals/analyze',
      auth: true,
      body: JSON.stringify({
        target: `Target ${words(2)}`,
        sector: 'fintech',
        financials: { currency: 'USD', revenue: 120e6, ebitda: 24e6, askingPrice: 300e6 },
      }),
    }),
  },
  {
    name: 'POST /webhooks/stripe',
    weight: 10,
    keep: true,
    build: (tenant, stack) => {
      const delivery = stack.fake.delivery('customer.subscription.updated', tenant.subscription);
      return {
        method: 'POST',
        path: '/webhooks/stripe',
        auth: false,
        body: delivery.payload,
        headers: delivery.headers,
      };
    },
  },
];

/** `pauseMs` (default 0): each connection waits this long between requests, for a fixed, moderate rate. */
export async function runLoad(
  stack: Stack,
  options: { connections: number; durationMs: number; pauseMs?: number },
) {
  // node:http with a keep-alive agent (the bench package has no undici): one socket per loop.
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const base = new URL(stack.gatewayUrl);
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { agent, host: base.hostname, port: base.port, method, path, headers, timeout: 60_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout after 60 s')));
      req.on('error', reject);
      req.end(body);
    });
  const totalWeight = ROUTES.reduce((sum, r) => sum + r.weight, 0);
  const pick = () => {
    let x = Math.random() * totalWeight;
    for (const route of ROUTES) {
      x -= route.weight;
      if (x < 0) return route;
    }
    return ROUTES[0]!;
  };
  const outcomes: Outcome[] = [];
  const networkErrors: Record<string, number> = {};
  const end = Date.now() + options.durationMs;
  const loop = async () => {
    while (Date.now() < end) {
      const route = pick();
      const tenant = stack.tenants[Math.floor(Math.random() * stack.tenants.length)]!;
      const request = route.build(tenant, stack);
      const headers: Record<string, string> = { ...request.headers };
      if (request.body && !headers['content-type']) headers['content-type'] = 'application/json';
      if (request.auth) headers.authorization = `Bearer ${tenant.token}`;
      const started = performance.now();
      try {
        const response = await send(request.method, request.path, headers, request.body);
        const body = response.body;
        outcomes.push({
          route: route.name,
          status: response.statusCode,
          ms: performance.now() - started,
          ...(route.keep || response.statusCode >= 500 ? { body } : {}),
        });
      } catch (error) {
        const key = `${route.name}: ${(error as Error).message}`;
        networkErrors[key] = (networkErrors[key] ?? 0) + 1;
      }
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return { outcomes, networkErrors, elapsedS };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** p50/p95/p99, throughput and status counts per route. */
export function summarise(outcomes: Outcome[], elapsedS: number) {
  const byRoute = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const list = byRoute.get(o.route) ?? [];
    list.push(o);
    byRoute.set(o.route, list);
  }
  return ROUTES.map((route) => {
    const list = byRoute.get(route.name) ?? [];
    const ms = list.map((o) => o.ms).sort((a, b) => a - b);
    const statuses: Record<string, number> = {};
    for (const o of list) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    return {
      route: route.name,
      requests: list.length,
      rps: Math.round(list.length / elapsedS),
      p50: Math.round(quantile(ms, 0.5)),
      p95: Math.round(quantile(ms, 0.95)),
      p99: Math.round(quantile(ms, 0.99)),
      statuses,
    };
  });
}
