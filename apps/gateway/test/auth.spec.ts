import { generateClerkKeyPair, mintClerkSessionToken, verifyInternalToken } from '@mna/shared';
import { TEST_INTERNAL_SECRET } from '@mna/testing';
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

const DOC = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
let upstreams: Upstreams;
let gw: Gateway;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_growth: 'growth', org_solo: 'solo' });
  gw = await startGateway(upstreams, { env: { PLATFORM_ADMIN_USER_IDS: 'user_admin' } });
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

const lastSeen = () => upstreams.search.seen.at(-1)!;

describe('authentication', () => {
  it('answers every bad token with the same generic 401 problem and no Clerk diagnostics', async () => {
    const other = await generateClerkKeyPair();
    const bad: Record<string, Record<string, string>> = {
      missing: {},
      notBearer: { authorization: 'Basic dXNlcjpwYXNz' },
      malformed: bearer('not.a.jwt'),
      garbage: bearer('%%%'),
      expired: bearer(
        await mintClerkSessionToken(gw.keys, {
          userId: 'u',
          azp: APP_ORIGIN,
          expiresInSeconds: -120,
          issuedAt: Math.floor(Date.now() / 1000) - 600,
        }),
      ),
      wrongSignature: bearer(await sessionToken(other, 'org_growth')),
      wrongAzp: bearer(await mintClerkSessionToken(gw.keys, { userId: 'u', azp: 'https://evil.example' })),
    };
    const before = upstreams.search.seen.length;
    const bodies = new Set<string>();
    for (const [name, headers] of Object.entries(bad)) {
      const res = await gw.app.inject({ method: 'GET', url: DOC, headers });
      expect(res.statusCode, name).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('x-clerk'))).toEqual([]);
      const { instance: _instance, ...body } = res.json();
      bodies.add(JSON.stringify(body));
    }
    expect(bodies.size).toBe(1);
    expect(upstreams.search.seen.length).toBe(before);
  });

  it('refuses a machine token on a session-only route and accepts it where machines are allowed', async () => {
    const m2m = await machineToken(gw.keys, 'org_growth');
    const checkout = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: bearer(m2m),
      payload: {
        plan: 'growth',
        interval: 'month',
        currency: 'usd',
        successUrl: 'https://a.b/',
        cancelUrl: 'https://a.b/',
      },
    });
    // A valid machine token on a session-only route: 403 naming what the route needs.
    expect(checkout.statusCode).toBe(403);
    expect(checkout.json().detail).toMatch(/a user session/);
    const doc = await gw.app.inject({ method: 'GET', url: DOC, headers: bearer(m2m) });
    expect(doc.statusCode).toBe(200);
    expect(lastSeen().principal).toMatchObject({
      tenantId: 'org_growth',
      userId: 'mch_integration',
      orgRole: null,
    });
  });

  it('forwards a valid session with a verified internal token and none of the client identity headers', async () => {
    const res = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: {
        ...bearer(await sessionToken(gw.keys, 'org_growth', 'admin')),
        'x-tenant-id': 'org_evil',
        'x-user-id': 'user_evil',
        'x-internal-token': 'forged',
        'x-internal-anything': 'forged',
        cookie: '__session=abc',
      },
    });
    expect(res.statusCode).toBe(200);
    const seen = lastSeen();
    const principal = await verifyInternalToken(
      seen.headers['x-internal-token'] as string,
      TEST_INTERNAL_SECRET,
    );
    expect(principal).toMatchObject({
      tenantId: 'org_growth',
      userId: 'user_1',
      orgRole: 'org:admin',
      plan: 'growth',
    });
    expect(principal.platformAdmin).toBe(false);
    for (const header of ['x-tenant-id', 'x-user-id', 'x-internal-anything', 'authorization', 'cookie']) {
      expect(seen.headers[header], header).toBeUndefined();
    }
  });

  it('ignores the development plan claim when Clerk is configured', async () => {
    const token = await mintClerkSessionToken(gw.keys, {
      userId: 'user_1',
      azp: APP_ORIGIN,
      org: { id: 'org_solo', rol: 'admin', slg: 'solo' },
      extraClaims: { mna_dev_plan: 'enterprise' },
    });
    const res = await gw.app.inject({ method: 'GET', url: DOC, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(lastSeen().principal?.plan).toBe('solo');
  });

  it('uses the personal workspace without an organization and marks configured platform admins', async () => {
    const res = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await sessionToken(gw.keys, undefined, 'admin', 'user_admin')),
    });
    expect(res.statusCode).toBe(200);
    expect(lastSeen().principal).toMatchObject({ tenantId: 'user_admin', plan: 'solo', platformAdmin: true });
  });

  it('routes MCP for every authenticated plan (ai-service refuses tools per plan) and never without a token', async () => {
    const mcpAs = async (org: string) =>
      gw.app.inject({
        method: 'POST',
        url: '/v1/mcp',
        headers: bearer(await sessionToken(gw.keys, org)),
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });
    const anonymous = await gw.app.inject({ method: 'POST', url: '/v1/mcp', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    const solo = await mcpAs('org_solo');
    expect(solo.statusCode).toBe(200);
    expect(solo.json().result.tenant).toBe('org_solo');
    const growth = await mcpAs('org_growth');
    expect(growth.statusCode).toBe(200);
    expect(growth.json().result.tenant).toBe('org_growth');
  });

  it('propagates one request id to the response, the upstream and both logs', async () => {
    const id = 'req-gateway-test-0001';
    const res = await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: { ...bearer(await sessionToken(gw.keys, 'org_growth')), 'x-request-id': id },
    });
    expect(res.headers['x-request-id']).toBe(id);
    expect(lastSeen().headers['x-request-id']).toBe(id);
    expect(lastSeen().principal?.requestId).toBe(id);
    expect(gw.logs.some((l) => l.requestId === id)).toBe(true);
    expect(upstreams.search.logs.some((l) => l.requestId === id)).toBe(true);
  });

  it('reuses one signed internal token per principal, while each request keeps its own id', async () => {
    const token = await sessionToken(gw.keys, 'org_reuse', 'member', 'user_reuse');
    const seen = [];
    for (const id of ['req-reuse-test-0001', 'req-reuse-test-0002']) {
      const res = await gw.app.inject({
        method: 'GET',
        url: DOC,
        headers: { ...bearer(token), 'x-request-id': id },
      });
      expect(res.statusCode).toBe(200);
      seen.push(lastSeen());
    }
    expect(seen[1]!.headers['x-internal-token']).toBe(seen[0]!.headers['x-internal-token']);
    expect(seen.map((s) => s.principal?.requestId)).toEqual(['req-reuse-test-0001', 'req-reuse-test-0002']);
    // Another principal (another role in the same tenant) never gets that token.
    await gw.app.inject({
      method: 'GET',
      url: DOC,
      headers: bearer(await sessionToken(gw.keys, 'org_reuse', 'admin', 'user_reuse')),
    });
    expect(lastSeen().headers['x-internal-token']).not.toBe(seen[0]!.headers['x-internal-token']);
    expect(lastSeen().principal).toMatchObject({ tenantId: 'org_reuse', orgRole: 'org:admin' });
  });
});

describe('plans when billing is unreachable', () => {
  it('falls back to the lowest plan, never unlimited', async () => {
    const down = await startGateway(upstreams, {
      env: { BILLING_SERVICE_URL: 'http://127.0.0.1:9' },
      keys: gw.keys,
    });
    try {
      const res = await down.app.inject({
        method: 'GET',
        url: DOC,
        headers: bearer(await sessionToken(gw.keys, 'org_growth')),
      });
      expect(res.statusCode).toBe(200);
      expect(lastSeen().principal?.plan).toBe('solo');
      expect(res.headers['ratelimit-limit']).toBe('120');
    } finally {
      await down.close();
    }
  });
});
