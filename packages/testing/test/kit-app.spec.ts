import { randomUUID } from 'node:crypto';
import { createDb, createRedis, type Redis } from '@mna/shared/kit';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogCapture,
  createTestDatabase,
  internalHeaders,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  type TestDatabase,
  testPrincipal,
} from '../src/index.js';
import { buildKitApp } from './fixtures/kit-app.js';
import { parseExposition } from './fixtures/prometheus-exposition.js';

let database: TestDatabase;
let db: Kysely<unknown>;
let redis: Redis;
const logs = createLogCapture();
let app: Awaited<ReturnType<typeof buildKitApp>>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.appUrl, max: 2 });
  redis = createRedis(TEST_REDIS_URL);
  app = await buildKitApp({ db, redis, secret: TEST_INTERNAL_SECRET, logStream: logs.stream });
});

afterAll(async () => {
  await app.close();
  redis.disconnect();
  await db.destroy();
  await database.drop();
});

const json = { 'content-type': 'application/json' };

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(body.instance).toBe(`urn:request:${response.headers['x-request-id']}`);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
  return body;
}

describe('problem+json for bad input', () => {
  it('an invalid body gets 400 naming each field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...json, ...(await internalHeaders()) },
      payload: { name: '', quantity: -1, extra: true },
    });
    const body = expectProblem(response, 400);
    const paths = (body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.quantity']));
  });

  it('an unknown route gets 404', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/v1/nowhere' }), 404);
  });

  it('a wrong content type gets 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { 'content-type': 'text/csv', ...(await internalHeaders()) },
      payload: 'name,quantity\nx,1',
    });
    expectProblem(response, 415);
  });

  it('an oversized body gets 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...json, ...(await internalHeaders()) },
      payload: JSON.stringify({ name: 'x'.repeat(5000), quantity: 1 }),
    });
    expectProblem(response, 413);
  });

  it('malformed JSON gets 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...json, ...(await internalHeaders()) },
      payload: '{"name": ',
    });
    expectProblem(response, 400);
  });

  it('a non-UUID path parameter gets 400, not 500', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/items/not-a-uuid',
      headers: await internalHeaders(),
    });
    expectProblem(response, 400);
  });
});

describe('request ids', () => {
  it('echoes a valid x-request-id and puts it on the log lines', async () => {
    const requestId = `req-${randomUUID()}`;
    const response = await app.inject({
      method: 'GET',
      url: `/v1/items/${randomUUID()}`,
      headers: { 'x-request-id': requestId, ...(await internalHeaders()) },
    });
    expect(response.headers['x-request-id']).toBe(requestId);
    const lines = logs.lines.filter((l) => l.requestId === requestId);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
  });

  it('replaces a malformed id with a fresh one', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\u0000<script>' },
    });
    const id = response.headers['x-request-id'] as string;
    expect(id).not.toContain('<script>');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps secrets out of the logs', async () => {
    const headers = await internalHeaders();
    await app.inject({
      method: 'GET',
      url: `/v1/items/${randomUUID()}`,
      headers: { ...headers, authorization: 'Bearer sk_live_secret' },
    });
    const text = JSON.stringify(logs.lines);
    expect(text).not.toContain('sk_live_secret');
    expect(text).not.toContain(headers['x-internal-token']);
  });
});

describe('/metrics', () => {
  it('parses as Prometheus exposition and labels requests by route template', async () => {
    const id = randomUUID();
    await app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: await internalHeaders() });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const { types, samples } = parseExposition(response.body);
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    const buckets = samples.filter((x) => x.name === 'http_request_duration_seconds_bucket');
    const routes = new Set(buckets.map((x) => x.labels.route));
    expect(routes).toContain('/v1/items/:id');
    expect([...routes].some((r) => r?.includes(id))).toBe(false);
    const ours = buckets.filter((x) => x.labels.route === '/v1/items/:id' && x.labels.status_class === '2xx');
    expect(ours[0]?.labels).toMatchObject({ method: 'GET', service: 'kit-test' });
    expect(ours.find((x) => x.labels.le === '+Inf')?.value).toBeGreaterThanOrEqual(1);
    expect(ours.map((x) => x.labels.le)).toEqual(expect.arrayContaining(['0.05', '0.2', '+Inf']));
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
  });
});

describe('/readyz', () => {
  it('answers 200 when Postgres and Redis answer', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: { ok: true }, redis: { ok: true } },
    });
  });

  it('answers 503 naming Redis when Redis points at a closed port', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1');
    deadRedis.on('error', () => {});
    const broken = await buildKitApp({ db, redis: deadRedis, secret: TEST_INTERNAL_SECRET });
    try {
      const response = await broken.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      const body = response.json() as { detail: string; checks: Record<string, { ok: boolean }> };
      expect(body.detail).toBe('Unavailable: redis');
      expect(body.checks.redis?.ok).toBe(false);
      expect(body.checks.postgres?.ok).toBe(true);
    } finally {
      await broken.close();
      deadRedis.disconnect();
    }
  });
});

describe('internal-auth guard', () => {
  const url = '/v1/items';
  const payload = { name: 'widget', quantity: 2 };
  const send = (headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { ...json, ...headers }, payload });

  it('refuses a missing token', async () => {
    expectProblem(await send({}), 401);
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...testPrincipal(), permissions: [], platformAdmin: false })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('mna-gateway')
      .setAudience('mna-services')
      .setIssuedAt(now - 90)
      .setExpirationTime(now - 30)
      .sign(new TextEncoder().encode(TEST_INTERNAL_SECRET));
    expectProblem(await send({ 'x-internal-token': expired }), 401);
  });

  it('refuses a tampered token', async () => {
    const token = (await internalHeaders())['x-internal-token']!;
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...testPrincipal({ tenantId: 'org_other' }) })).toString(
      'base64url',
    );
    expectProblem(await send({ 'x-internal-token': `${h}.${forged}.${s}` }), 401);
  });

  it('refuses a token signed with another secret', async () => {
    expectProblem(
      await send(await internalHeaders({}, 'another-secret-that-is-at-least-32-characters')),
      401,
    );
  });

  it('accepts a valid token and hands the principal to the handler', async () => {
    const response = await send(await internalHeaders({ tenantId: 'org_valid' }));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ name: 'widget', tenantId: 'org_valid' });
  });

  it('leaves health, readiness and metrics open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    }
  });
});
