import { mintClerkSessionToken, ORG_MEMBERS_CLAIM } from '@mna/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  bearer,
  closeUpstreams,
  type Gateway,
  machineToken,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';
import { startBilling } from './stand-ins.js';

const DOC = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
const ANALYZE = '/v1/ai/deals/analyze?async=true';
const deal = (target: string) => ({ target, sector: 'Software' });
let upstreams: Upstreams;
let gw: Gateway;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_unpaid: 'none', org_q1: 'solo', org_q2: 'solo', org_q3: 'solo' });
  // A rate-limit window long enough that the AI bucket (solo: 10/min) never answers before the quota.
  gw = await startGateway(upstreams, { env: { RATE_LIMIT_WINDOW_MS: '600000' } });
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

const analyze = async (org: string, target = 'Acme') =>
  gw.app.inject({
    method: 'POST',
    url: ANALYZE,
    headers: bearer(await sessionToken(gw.keys, org, 'member')),
    payload: deal(target),
  });

/** The first instant of the next UTC calendar month: the quota window without a billing period. */
const nextMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
};

describe('without a subscription', () => {
  it('answers 402 with a checkout hint on paid routes, for sessions and machines alike', async () => {
    const session = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await sessionToken(gw.keys, 'org_unpaid')),
    });
    expect(session.statusCode).toBe(402);
    expect(session.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(session.json()).toMatchObject({
      status: 402,
      checkout: 'POST /v1/billing/checkout',
      plans: '/v1/billing/plans',
    });
    const machine = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await machineToken(gw.keys, 'org_unpaid', ['documents:read'])),
    });
    expect(machine.statusCode).toBe(402);
    expect((await analyze('org_unpaid')).statusCode).toBe(402);
  });

  it('still reaches the billing routes that start a subscription', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/portal',
      headers: bearer(await sessionToken(gw.keys, 'org_unpaid', 'admin')),
      payload: { returnUrl: 'https://app.mna.test/settings' },
    });
    expect(res.statusCode).toBe(503); // the stand-in's answer: the gateway let it through
  });
});

describe('AI analyses per month', () => {
  it('admits the plan’s allowance, then answers 402 naming the plan that allows more', async () => {
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push((await analyze('org_q1')).statusCode);
    expect(answers).toEqual(Array(50).fill(202));
    const over = await analyze('org_q1');
    expect(over.statusCode).toBe(402);
    expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(over.json()).toMatchObject({
      quota: 'aiAnalysesPerMonth',
      limit: 50,
      used: 50,
      plan: 'growth',
      resetsAt: nextMonth(),
    });
    expect(over.json().detail).toMatch(/Growth plan includes 500/);
    // Another tenant's allowance is its own; polling jobs and other routes are not analyses.
    expect((await analyze('org_q2')).statusCode).toBe(202);
    const job = await gw.app.inject({
      method: 'GET',
      url: '/v1/ai/jobs/job_1',
      headers: bearer(await sessionToken(gw.keys, 'org_q1')),
    });
    expect(job.statusCode).toBe(200);
  });

  it('counts exactly up to the allowance under concurrency, and gives back refused analyses', async () => {
    const failed = await Promise.all(Array.from({ length: 5 }, () => analyze('org_q3', 'fail')));
    expect(failed.map((r) => r.statusCode)).toEqual(Array(5).fill(422));
    const answers = await Promise.all(Array.from({ length: 60 }, () => analyze('org_q3')));
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 202)).toHaveLength(50);
    expect(codes.filter((c) => c === 402)).toHaveLength(10);
  });
});

describe('seats', () => {
  const withMembers = (org: string, members: number) =>
    mintClerkSessionToken(gw.keys, {
      userId: 'user_seat',
      azp: APP_ORIGIN,
      org: { id: org, rol: 'admin', slg: org },
      extraClaims: { [ORG_MEMBERS_CLAIM]: members },
    });

  it('answers 402 naming the plan with enough seats when the organisation outgrows its plan', async () => {
    const over = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await withMembers('org_q2', 3)),
    });
    expect(over.statusCode).toBe(402);
    expect(over.json()).toMatchObject({ seats: 1, members: 3, plan: 'growth' });
    const within = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await withMembers('org_q2', 1)),
    });
    expect(within.statusCode).toBe(200);
    // The way out stays open: an admin of the over-seat organisation can still change the plan.
    const portal = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/portal',
      headers: bearer(await withMembers('org_q2', 3)),
      payload: { returnUrl: 'https://app.mna.test/settings' },
    });
    expect(portal.statusCode).toBe(503);
  });
});

describe('when billing stops answering', () => {
  it('keeps the tenant’s last answer instead of the lowest plan or a 402', async () => {
    const billing = await startBilling({ org_stale: 'growth', org_stale_unpaid: 'none' });
    const own = await startGateway(upstreams, {
      keys: gw.keys,
      env: { BILLING_SERVICE_URL: billing.url, ENTITLEMENTS_CACHE_MS: '50' },
    });
    try {
      const get = async (org: string) =>
        own.app.inject({ method: 'GET', url: DOC, headers: bearer(await sessionToken(gw.keys, org)) });
      expect((await get('org_stale')).statusCode).toBe(200);
      expect((await get('org_stale_unpaid')).statusCode).toBe(402);
      await billing.app.close();
      await new Promise((r) => setTimeout(r, 100)); // past the cache TTL: billing is asked again
      const stale = await get('org_stale');
      expect(stale.statusCode).toBe(200);
      expect(upstreams.search.seen.at(-1)?.principal).toMatchObject({
        tenantId: 'org_stale',
        plan: 'growth',
      });
      expect((await get('org_stale_unpaid')).statusCode).toBe(402);
    } finally {
      await own.close();
    }
  });
});
