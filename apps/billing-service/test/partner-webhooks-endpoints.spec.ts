import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSecrets } from '../src/modules/partner-webhooks/signing.js';
import {
  createGuardedDispatcher,
  createUrlGuard,
  isPublicAddress,
  PrivateAddressError,
  type ResolveHost,
  resolveWithSystem,
} from '../src/modules/partner-webhooks/url-guard.js';
import { type Harness, startHarness } from './harness.js';

const PUBLIC_IP = '93.184.216.34';
const NAMES: Record<string, LookupAddress[]> = {
  'hooks.partner.example': [{ address: PUBLIC_IP, family: 4 }],
  'internal.partner.example': [{ address: '10.1.2.3', family: 4 }],
  'rebind.partner.example': [{ address: '127.0.0.1', family: 4 }],
  'mixed.partner.example': [
    { address: PUBLIC_IP, family: 4 },
    { address: '::1', family: 6 },
  ],
};
/** Test names resolve from the table; anything else (`localhost`) through the system resolver. */
const resolveHost: ResolveHost = async (host) => NAMES[host] ?? resolveWithSystem(host);

const NOW = new Date('2026-03-01T12:00:00.000Z');
const TENANT_A = 'org_hooks_a';
const TENANT_B = 'org_hooks_b';
const URL_OK = 'https://hooks.partner.example/mna';

describe('partner webhook endpoints', () => {
  let h: Harness;
  const as = (tenantId: string) => h.headers({ tenantId, userId: `user_${tenantId}` });
  const call = async (
    tenantId: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    h.app.inject({
      method,
      url,
      headers: await as(tenantId),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const create = (tenantId: string, body: Record<string, unknown>) =>
    call(tenantId, 'POST', '/v1/webhooks/endpoints', body);

  beforeAll(async () => {
    h = await startHarness({ stripe: false, deps: { resolveHost, clock: { now: () => NOW } } });
  });
  afterAll(() => h.close());

  it('creates an endpoint, shows its secret once, and runs the lifecycle with audit rows', async () => {
    const created = await create(TENANT_A, {
      url: URL_OK,
      events: ['document.indexed', 'invoice.paid'],
      description: 'CRM sync',
    });
    expect(created.statusCode).toBe(201);
    const endpoint = created.json();
    expect(endpoint).toMatchObject({
      url: URL_OK,
      events: ['document.indexed', 'invoice.paid'],
      description: 'CRM sync',
      status: 'enabled',
      disabledReason: null,
    });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const path = `/v1/webhooks/endpoints/${endpoint.id}`;

    const got = await call(TENANT_A, 'GET', path);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      id: endpoint.id,
      health: { consecutiveFailures: 0, firstFailureAt: null, successRate1h: null },
    });
    const list = await call(TENANT_A, 'GET', '/v1/webhooks/endpoints');
    const patched = await call(TENANT_A, 'PATCH', path, { events: ['document.failed'] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ events: ['document.failed'], url: URL_OK });
    for (const res of [got, list, patched]) {
      expect(res.body).not.toContain(endpoint.secret);
      expect(res.body).not.toContain('whsec_');
    }

    const disabled = await call(TENANT_A, 'POST', `${path}/disable`);
    expect(disabled.json()).toMatchObject({ status: 'disabled', disabledReason: 'disabled by the tenant' });
    const enabled = await call(TENANT_A, 'POST', `${path}/enable`);
    expect(enabled.json()).toMatchObject({ status: 'enabled', disabledReason: null });
    expect((await call(TENANT_A, 'DELETE', path)).statusCode).toBe(204);
    expect((await call(TENANT_A, 'GET', path)).statusCode).toBe(404);

    const audit = await h.owner
      .selectFrom('billing.audit_log')
      .select(['action', 'actor', 'tenant_id'])
      .where('target', '=', endpoint.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'webhooks.endpoint.create',
      'webhooks.endpoint.update',
      'webhooks.endpoint.disable',
      'webhooks.endpoint.enable',
      'webhooks.endpoint.delete',
    ]);
    expect(new Set(audit.map((a) => a.tenant_id))).toEqual(new Set([TENANT_A]));
    const stored = await h.owner.selectFrom('billing.audit_log').select('details').execute();
    expect(JSON.stringify(stored)).not.toContain(endpoint.secret);
  });

  it('rotates the secret: the old one keeps signing for the 24 h grace, then only the new one', async () => {
    const endpoint = (await create(TENANT_A, { url: URL_OK, events: ['invoice.paid'] })).json();
    const rotated = await call(TENANT_A, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret, previousSecretExpiresAt } = rotated.json();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);
    expect(previousSecretExpiresAt).toBe(new Date(NOW.getTime() + 24 * 3_600_000).toISOString());

    const row = await h.owner
      .selectFrom('billing.webhook_endpoints')
      .select('secrets')
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    const during = activeSecrets(row.secrets, new Date(NOW.getTime() + 23 * 3_600_000));
    expect(during.map((s) => s.secret).sort()).toEqual([endpoint.secret, secret].sort());
    const after = activeSecrets(row.secrets, new Date(NOW.getTime() + 24 * 3_600_000 + 1_000));
    expect(after.map((s) => s.secret)).toEqual([secret]);

    const got = await call(TENANT_A, 'GET', `/v1/webhooks/endpoints/${endpoint.id}`);
    expect(got.body).not.toContain(secret);
    expect(got.body).not.toContain(endpoint.secret);
  });

  it('takes the grace period from WEBHOOK_SECRET_GRACE_HOURS', async () => {
    const short = await startHarness({
      stripe: false,
      env: { WEBHOOK_SECRET_GRACE_HOURS: '2' },
      deps: { resolveHost, clock: { now: () => NOW } },
    });
    try {
      const headers = await short.headers({ tenantId: TENANT_A });
      const endpoint = (
        await short.app.inject({
          method: 'POST',
          url: '/v1/webhooks/endpoints',
          headers,
          payload: { url: URL_OK, events: ['invoice.paid'] },
        })
      ).json();
      const rotated = await short.app.inject({
        method: 'POST',
        url: `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`,
        headers,
      });
      expect(rotated.json().previousSecretExpiresAt).toBe(
        new Date(NOW.getTime() + 2 * 3_600_000).toISOString(),
      );
    } finally {
      await short.close();
    }
  });

  it('never shows or changes another tenant’s endpoint (404)', async () => {
    const endpoint = (await create(TENANT_A, { url: URL_OK, events: ['deal.analyzed'] })).json();
    const path = `/v1/webhooks/endpoints/${endpoint.id}`;
    const attempts = [
      await call(TENANT_B, 'GET', path),
      await call(TENANT_B, 'PATCH', path, { description: 'mine now' }),
      await call(TENANT_B, 'POST', `${path}/disable`),
      await call(TENANT_B, 'POST', `${path}/enable`),
      await call(TENANT_B, 'POST', `${path}/rotate-secret`),
      await call(TENANT_B, 'DELETE', path),
    ];
    for (const res of attempts) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain(URL_OK);
    }
    const listB = (await call(TENANT_B, 'GET', '/v1/webhooks/endpoints')).json();
    expect(listB.endpoints.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
    const still = (await call(TENANT_A, 'GET', path)).json();
    expect(still).toMatchObject({ status: 'enabled', description: '' });
    const row = await h.owner
      .selectFrom('billing.webhook_endpoints')
      .select('secrets')
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row.secrets).toHaveLength(1);
  });

  it('pages the list with an opaque cursor', async () => {
    const tenant = 'org_hooks_pages';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await create(tenant, { url: `${URL_OK}/${i}`, events: ['invoice.paid'] })).json().id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await call(tenant, 'GET', `/v1/webhooks/endpoints?limit=2${query}`)).json();
      expect(page.endpoints.length).toBeLessThanOrEqual(2);
      seen.push(...page.endpoints.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());
    const bad = await call(tenant, 'GET', '/v1/webhooks/endpoints?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'querystring.cursor', message: 'invalid cursor' }]);
  });

  it('answers bad input with 400 problem+json naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ events: ['invoice.paid'] }, 'body.url'],
      [{ url: 'not a url', events: ['invoice.paid'] }, 'body.url'],
      [{ url: 'ftp://hooks.partner.example/x', events: ['invoice.paid'] }, 'body.url'],
      [{ url: URL_OK, events: [] }, 'body.events'],
      [{ url: URL_OK, events: ['document.exploded'] }, 'body.events.0'],
      [{ url: URL_OK, events: ['endpoint.failing'] }, 'body.events.0'],
      [{ url: URL_OK, events: ['invoice.paid', 'invoice.paid'] }, 'body.events'],
      [{ url: URL_OK, events: ['invoice.paid'], secret: 'whsec_mine' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await create(TENANT_A, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await call(TENANT_A, 'GET', '/v1/webhooks/endpoints/not-a-uuid')).statusCode).toBe(400);
    const endpoint = (await create(TENANT_A, { url: URL_OK, events: ['invoice.paid'] })).json();
    const empty = await call(TENANT_A, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, {});
    expect(empty.statusCode).toBe(400);
    const missing = await call(
      TENANT_A,
      'GET',
      '/v1/webhooks/endpoints/00000000-0000-4000-8000-000000000000',
    );
    expect(missing.statusCode).toBe(404);
  });

  it('refuses URLs that are or resolve to loopback, private, link-local, metadata and other non-public addresses', async () => {
    const refused = [
      'http://127.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://017700000001/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
      'http://10.0.0.8/',
      'http://172.16.5.4/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://224.0.0.1/',
      'http://[64:ff9b::7f00:1]/',
      'http://localhost:8080/',
      'https://internal.partner.example/hook',
      'https://mixed.partner.example/hook',
      'https://does-not-exist.invalid/hook',
    ];
    for (const url of refused) {
      const res = await create(TENANT_A, { url, events: ['invoice.paid'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors, url).toEqual([{ path: 'body.url', message: expect.any(String) }]);
    }
    const count = await h.owner
      .selectFrom('billing.webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('url', 'in', refused)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(0);

    const endpoint = (await create(TENANT_A, { url: URL_OK, events: ['invoice.paid'] })).json();
    const moved = await call(TENANT_A, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, {
      url: 'http://169.254.169.254/',
    });
    expect(moved.statusCode).toBe(400);
    expect((await call(TENANT_A, 'GET', `/v1/webhooks/endpoints/${endpoint.id}`)).json().url).toBe(URL_OK);
  });
});

describe('url guard', () => {
  it('classifies addresses: only global unicast is public', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])
      expect(isPublicAddress(a), a).toBe(true);
    for (const a of [
      '127.0.0.1',
      '::1',
      '::ffff:10.0.0.1',
      '169.254.169.254',
      'fd00:ec2::254',
      '100.64.1.1',
      '::',
      'ff02::1',
      'nonsense',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('requires https in production and refuses credentials in the URL', async () => {
    const production = createUrlGuard({ allowPrivate: false, requireHttps: true, resolve: resolveHost });
    await expect(production.assertAllowed('http://hooks.partner.example/x')).rejects.toMatchObject({
      status: 400,
      errors: [{ path: 'body.url', message: 'https is required' }],
    });
    await expect(production.assertAllowed(URL_OK)).resolves.toBeUndefined();
    await expect(production.assertAllowed('https://user:pw@hooks.partner.example/')).rejects.toMatchObject({
      status: 400,
    });
    const dev = createUrlGuard({ allowPrivate: true, requireHttps: false });
    await expect(dev.assertAllowed('http://127.0.0.1:9/hook')).resolves.toBeUndefined();
  });

  describe('at send time', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses a literal private address and a name that now resolves to one (DNS rebinding)', async () => {
      const dispatcher = createGuardedDispatcher({ allowPrivate: false, resolve: resolveHost });
      try {
        for (const url of [`http://127.0.0.1:${port}/`, `http://rebind.partner.example:${port}/`]) {
          const error = await request(url, { method: 'POST', body: '{}', dispatcher }).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error, url).toBeInstanceOf(PrivateAddressError);
        }
      } finally {
        await dispatcher.close();
      }
    });

    it('connects to private receivers only when WEBHOOK_ALLOW_PRIVATE_URLS is on', async () => {
      const dispatcher = createGuardedDispatcher({ allowPrivate: true });
      try {
        const res = await request(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}', dispatcher });
        expect(res.statusCode).toBe(200);
        expect(await res.body.text()).toBe('ok');
      } finally {
        await dispatcher.close();
      }
    });
  });
});
