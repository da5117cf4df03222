import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeClerkApi } from './fake-clerk-api.js';
import {
  bearer,
  closeUpstreams,
  type Gateway,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

const DOC = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
const MACHINE_SECRET = 'ak_test_gateway_machine_secret_0123456789';
const OPAQUE_CACHE_MS = 1_500; // generous: other suites load these 2 cores
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let upstreams: Upstreams;
let clerk: Awaited<ReturnType<typeof startFakeClerkApi>>;
let gw: Gateway;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_m2m: 'growth' });
  clerk = await startFakeClerkApi(MACHINE_SECRET);
  gw = await startGateway(upstreams, {
    env: {
      CLERK_MACHINE_SECRET_KEY: MACHINE_SECRET,
      CLERK_API_URL: clerk.url,
      AUTH_OPAQUE_CACHE_MS: String(OPAQUE_CACHE_MS),
    },
  });
});
afterAll(async () => {
  await gw.close();
  await clerk.close();
  await closeUpstreams(upstreams);
});

const opaque = (name: string) => `mt_${name}_${Math.random().toString(36).slice(2, 14)}`;
const get = (token: string) => gw.app.inject({ method: 'GET', url: DOC, headers: bearer(token) });

describe('opaque machine tokens (mt_), verified by Clerk’s Backend API', () => {
  it('accepts a valid token with the tenant from its claims, asking Clerk once per cache window', async () => {
    const token = opaque('valid');
    clerk.tokens.set(token, {
      subject: 'mch_reporting',
      claims: { tenant_id: 'org_m2m', mna_scopes: ['documents:read'] },
      scopes: ['mch_other_service'],
      expiration: Date.now() + 3_600_000,
    });
    const before = clerk.calls.length;
    const first = await get(token);
    expect(first.statusCode).toBe(200);
    expect(upstreams.search.seen.at(-1)!.principal).toMatchObject({
      tenantId: 'org_m2m',
      userId: 'mch_reporting',
      orgRole: null,
      plan: 'growth',
      permissions: ['documents:read'], // from mna_scopes; Clerk's own scopes name machines
    });
    expect(clerk.calls.slice(before)).toEqual([
      { path: '/m2m_tokens/verify', authorization: `Bearer ${MACHINE_SECRET}` },
    ]);
    expect((await get(token)).statusCode).toBe(200);
    expect(clerk.calls.length).toBe(before + 1); // served from the cache
    await sleep(OPAQUE_CACHE_MS + 100);
    expect((await get(token)).statusCode).toBe(200);
    expect(clerk.calls.length).toBe(before + 2); // the window passed: Clerk asked again
  });

  it('honours a revocation once the cache window has passed', async () => {
    const token = opaque('revocable');
    clerk.tokens.set(token, {
      subject: 'mch_reporting',
      claims: { tenant_id: 'org_m2m', mna_scopes: 'documents:read' },
    });
    expect((await get(token)).statusCode).toBe(200);
    clerk.tokens.get(token)!.revoked = true;
    await sleep(OPAQUE_CACHE_MS + 100);
    const refused = await get(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('refuses unknown, revoked, expired, non-machine and tenantless tokens with the same 401', async () => {
    const cases: Record<string, Parameters<typeof clerk.tokens.set>[1] | null> = {
      unknown: null,
      revoked: { subject: 'mch_x', claims: { tenant_id: 'org_m2m' }, revoked: true },
      expired: { subject: 'mch_x', claims: { tenant_id: 'org_m2m' }, expiration: Date.now() - 60_000 },
      notAMachine: { subject: 'user_x', claims: { tenant_id: 'org_m2m' } },
      noTenant: { subject: 'mch_x', claims: null },
    };
    const before = upstreams.search.seen.length;
    const bodies = new Set<string>();
    for (const [name, stored] of Object.entries(cases)) {
      const token = opaque(name);
      if (stored) clerk.tokens.set(token, stored);
      const res = await get(token);
      expect(res.statusCode, name).toBe(401);
      const { instance: _instance, ...body } = res.json();
      bodies.add(JSON.stringify(body));
    }
    expect(bodies.size).toBe(1);
    expect(upstreams.search.seen.length).toBe(before);
  });

  it('refuses a valid opaque token on a session-only route', async () => {
    const token = opaque('session_only');
    clerk.tokens.set(token, {
      subject: 'mch_reporting',
      claims: { tenant_id: 'org_m2m', mna_scopes: 'documents:read' },
    });
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/portal',
      headers: bearer(token),
      payload: { returnUrl: 'https://app.mna.test/' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/a user session/);
  });

  it('without a machine or secret key refuses opaque tokens at once, without calling Clerk', async () => {
    const jwtOnly = await startGateway(upstreams, { env: { CLERK_API_URL: clerk.url } });
    try {
      const token = opaque('no_key');
      clerk.tokens.set(token, {
        subject: 'mch_reporting',
        claims: { tenant_id: 'org_m2m', mna_scopes: 'documents:read' },
      });
      const before = clerk.calls.length;
      const res = await jwtOnly.app.inject({ method: 'GET', url: DOC, headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expect(clerk.calls.length).toBe(before);
    } finally {
      await jwtOnly.close();
    }
  });
});
