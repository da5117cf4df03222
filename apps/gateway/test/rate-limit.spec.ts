import { uniquePrefix } from '@mna/testing';
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

const DOC = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
const INFLUENCE = '/v1/ai/companies/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10/influence';
let upstreams: Upstreams;
let gw: Gateway;
let twin: Gateway;

beforeAll(async () => {
  upstreams = await startUpstreams({
    org_a: 'solo',
    org_b: 'solo',
    org_g: 'growth',
    org_shared: 'solo',
    org_ai: 'solo',
  });
  const prefix = uniquePrefix('gw-rl');
  gw = await startGateway(upstreams, { prefix, env: { RATE_LIMIT_PUBLIC_PER_WINDOW: '3' } });
  // A second replica on the same Redis prefix: it must draw from the same budgets.
  twin = await startGateway(upstreams, { prefix, keys: gw.keys });
});
afterAll(async () => {
  await twin.close();
  await gw.close();
  await closeUpstreams(upstreams);
});

async function hammer(g: Gateway, token: string, n: number, url = DOC) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await g.app.inject({
      method: 'GET',
      url,
      headers: bearer(token),
      remoteAddress: '203.0.113.7',
    });
    statuses.push(res.statusCode);
  }
  return statuses;
}

describe('rate limits', () => {
  it('gives tenant A 429 with Retry-After once its plan budget is spent, while tenant B on the same IP goes on', async () => {
    const a = await sessionToken(gw.keys, 'org_a');
    const first = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(a),
      remoteAddress: '203.0.113.7',
    });
    expect(first.headers['ratelimit-limit']).toBe('120');
    expect(first.headers['ratelimit-remaining']).toBe('119');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    const statuses = await hammer(gw, a, 120);
    expect(statuses.filter((s) => s === 200)).toHaveLength(119);
    const refused = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(a),
      remoteAddress: '203.0.113.7',
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    const b = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await sessionToken(gw.keys, 'org_b')),
      remoteAddress: '203.0.113.7',
    });
    expect(b.statusCode).toBe(200);
  });

  it('takes the limit from the plan', async () => {
    const g = await sessionToken(gw.keys, 'org_g');
    const statuses = await hammer(gw, g, 130);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const res = await gw.app.inject({ method: 'GET', url: DOC, headers: bearer(g) });
    expect(res.headers['ratelimit-limit']).toBe('600');
  });

  it('shares one budget between two gateway instances', async () => {
    const token = await sessionToken(gw.keys, 'org_shared');
    const [one, two] = await Promise.all([hammer(gw, token, 80), hammer(twin, token, 80)]);
    const admitted = [...one, ...two].filter((s) => s === 200).length;
    expect(admitted).toBe(120);
    expect(one.some((s) => s === 200) && two.some((s) => s === 200)).toBe(true);
  });

  it('puts AI analysis routes on a stricter, separate bucket', async () => {
    const token = await sessionToken(gw.keys, 'org_ai');
    const ai = await hammer(gw, token, 11, INFLUENCE);
    expect(ai.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(ai[10]).toBe(429);
    const general = await gw.app.inject({ method: 'GET', url: DOC, headers: bearer(token) });
    expect(general.statusCode).toBe(200);
    expect(general.headers['ratelimit-limit']).toBe('120');
  });

  it('limits unauthenticated routes by client IP', async () => {
    const get = (ip: string) => gw.app.inject({ method: 'GET', url: '/v1/billing/plans', remoteAddress: ip });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('198.51.100.1')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await get('198.51.100.2')).statusCode).toBe(200);
  });
});
