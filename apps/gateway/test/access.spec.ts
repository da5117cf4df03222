import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  closeUpstreams,
  type Gateway,
  machineToken,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

const ID = '8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
const DOC = `/v1/documents/${ID}`;
const ENDPOINT = `/v1/webhooks/endpoints/ep_${ID}`;
let upstreams: Upstreams;
let gw: Gateway;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_acc: 'growth', org_acc_ent: 'enterprise' });
  gw = await startGateway(upstreams, { env: { PLATFORM_ADMIN_USER_IDS: 'user_platform' } });
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

/** Every call a stand-in service received so far (proves a refused call never left the gateway). */
const received = () =>
  upstreams.search.seen.length + upstreams.ai.seen.length + upstreams.billing.seen.length;

// The admin-only routes of the issue: webhook endpoints (create, change, rotate, delete, recover),
// billing checkout, portal and plan changes. Bodies are deliberately invalid: the role is checked first.
const ADMIN_ONLY = [
  ['POST', '/v1/webhooks/endpoints'],
  ['PATCH', ENDPOINT],
  ['POST', `${ENDPOINT}/rotate-secret`],
  ['DELETE', ENDPOINT],
  ['POST', `${ENDPOINT}/recover`],
  ['POST', `${ENDPOINT}/disable`],
  ['POST', '/v1/billing/checkout'],
  ['POST', '/v1/billing/portal'],
  ['POST', '/v1/billing/subscription/change'],
] as const;

describe('roles', () => {
  it('refuses an organisation member on every admin route with 403 naming the role, before the body', async () => {
    const member = bearer(await sessionToken(gw.keys, 'org_acc', 'member', 'user_member'));
    const before = received();
    for (const [method, url] of ADMIN_ONLY) {
      const res = await gw.app.inject({ method, url, headers: member, payload: { not: 'valid' } });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 403, requiredRole: 'admin' });
      expect(res.json().detail).toMatch(/organisation role admin/);
    }
    expect(received()).toBe(before);
  });

  it('lets an organisation admin through to the service on the same routes', async () => {
    const admin = bearer(await sessionToken(gw.keys, 'org_acc', 'admin', 'user_owner'));
    const portal = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/portal',
      headers: admin,
      payload: { returnUrl: 'https://app.mna.test/settings' },
    });
    // The stand-in's own answer (billing without Stripe): the gateway let the call through.
    expect(portal.statusCode).toBe(503);
    expect(upstreams.billing.seen.at(-1)).toMatchObject({ route: '/v1/billing/portal' });
    for (const [method, url] of ADMIN_ONLY) {
      const res = await gw.app.inject({ method, url, headers: admin, payload: { not: 'valid' } });
      expect(res.statusCode, `${method} ${url}`).not.toBe(403);
    }
  });

  it('lets any member read, search and write documents', async () => {
    const member = bearer(await sessionToken(gw.keys, 'org_acc', 'member', 'user_member'));
    expect((await gw.app.inject({ method: 'GET', url: DOC, headers: member })).statusCode).toBe(200);
    const search = await gw.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: member,
      payload: { query: 'due diligence', mode: 'keyword' },
    });
    expect(search.statusCode).toBe(200);
    const ingest = await gw.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: member,
      payload: { externalId: 'm-1', kind: 'deal_memo', title: 'Memo', content: 'Text of the memo.' },
    });
    expect(ingest.statusCode).toBe(202);
    expect(upstreams.search.seen.at(-1)?.principal).toMatchObject({
      tenantId: 'org_acc',
      orgRole: 'org:member',
    });
  });

  it('treats the owner of a personal workspace as its admin', async () => {
    const own = bearer(await sessionToken(gw.keys, undefined, 'member', 'user_solo_owner'));
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/portal',
      headers: own,
      payload: { returnUrl: 'https://app.mna.test/settings' },
    });
    expect(res.statusCode).toBe(503); // reached billing
  });

  it('keeps the platform routes to platform admins, even for an organisation admin', async () => {
    const orgAdmin = bearer(await sessionToken(gw.keys, 'org_acc_ent', 'admin', 'user_owner'));
    const refused = await gw.app.inject({ method: 'GET', url: '/v1/billing/analytics', headers: orgAdmin });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ requiredRole: 'platform-admin' });
    const replay = await gw.app.inject({
      method: 'POST',
      url: '/v1/billing/admin/webhooks/replay',
      headers: orgAdmin,
      payload: { eventId: 'evt_1' },
    });
    expect(replay.statusCode).toBe(403);
    const platform = bearer(await sessionToken(gw.keys, 'org_acc_ent', 'member', 'user_platform'));
    const allowed = await gw.app.inject({ method: 'GET', url: '/v1/billing/analytics', headers: platform });
    expect(allowed.statusCode).toBe(200);
  });
});

describe('machine scopes', () => {
  it('admits a machine token only on routes whose scope it carries, and names the missing scope', async () => {
    const reader = bearer(await machineToken(gw.keys, 'org_acc', ['documents:read']));
    expect((await gw.app.inject({ method: 'GET', url: DOC, headers: reader })).statusCode).toBe(200);
    const before = received();
    const write = await gw.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: reader,
      payload: { broken: true },
    });
    expect(write.statusCode).toBe(403);
    expect(write.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(write.json()).toMatchObject({ requiredScope: 'documents:write' });
    expect(write.json().detail).toMatch(/scope documents:write/);
    const search = await gw.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: reader,
      payload: { query: 'x', mode: 'keyword' },
    });
    expect(search.json()).toMatchObject({ status: 403, requiredScope: 'search:read' });
    expect(received()).toBe(before);

    const writer = bearer(await machineToken(gw.keys, 'org_acc', ['documents:write', 'search:read']));
    const ingest = await gw.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: writer,
      payload: { externalId: 'm-2', kind: 'deal_memo', title: 'Memo', content: 'Text.' },
    });
    expect(ingest.statusCode).toBe(202);
    expect(upstreams.search.seen.at(-1)?.principal).toMatchObject({
      userId: 'mch_integration',
      permissions: ['documents:write', 'search:read'],
    });
  });

  it('gives a machine token without mna_scopes nothing', async () => {
    const bare = bearer(await machineToken(gw.keys, 'org_acc', []));
    const res = await gw.app.inject({ method: 'GET', url: DOC, headers: bare });
    expect(res.statusCode).toBe(403);
    expect(res.json().requiredScope).toBe('documents:read');
  });
});
