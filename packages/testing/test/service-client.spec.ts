import { randomUUID } from 'node:crypto';
import {
  AppError,
  createServiceClient,
  GatewayTimeoutError,
  ServiceUnavailableError,
  UpstreamError,
} from '@mna/shared';
import { createDb, createRedis, type Redis } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  startFakeServer,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  type TestDatabase,
  testPrincipal,
} from '../src/index.js';
import { buildKitApp, itemRoutes } from './fixtures/kit-app.js';

let database: TestDatabase;
let db: Kysely<unknown>;
let redis: Redis;
let app: Awaited<ReturnType<typeof buildKitApp>>;
let baseUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.appUrl, max: 2 });
  redis = createRedis(TEST_REDIS_URL);
  app = await buildKitApp({ db, redis, secret: TEST_INTERNAL_SECRET });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  redis.disconnect();
  await db.destroy();
  await database.drop();
});

const client = () =>
  createServiceClient({ service: 'kit', baseUrl, internalTokenSecret: TEST_INTERNAL_SECRET });

describe('typed service client', () => {
  it('calls a contract route with a fresh internal token and parses the answer', async () => {
    const c = client();
    const created = await c.call(itemRoutes.create, {
      principal: testPrincipal({ tenantId: 'org_client' }),
      body: { name: 'bolt', quantity: 3 },
    });
    expect(created).toMatchObject({ name: 'bolt', tenantId: 'org_client' });
    const id = randomUUID();
    const fetched = await c.call(itemRoutes.get, { principal: testPrincipal(), params: { id } });
    expect(fetched.id).toBe(id);
    await c.close();
  });

  it("turns the callee's 4xx problem into the same status", async () => {
    const c = client();
    const error = await c
      .call(itemRoutes.create, { principal: testPrincipal(), body: { name: '', quantity: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    expect((error as AppError).errors?.[0]?.path).toBe('body.name');
    await c.close();
  });

  it('gives up after its timeout with 504', async () => {
    const c = client();
    const started = Date.now();
    const error = await c
      .call(itemRoutes.slow, { principal: testPrincipal(), query: { ms: 2000 }, timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
    await c.close();
  });

  it('answers 503 when the service is unreachable', async () => {
    const c = createServiceClient({
      service: 'gone',
      baseUrl: 'http://127.0.0.1:1',
      internalTokenSecret: TEST_INTERNAL_SECRET,
    });
    const error = await c
      .call(itemRoutes.slow, { principal: testPrincipal(), query: { ms: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    await c.close();
  });

  it('refuses an answer outside the contract with 502', async () => {
    const fake = await startFakeServer(() => ({ status: 200, body: { done: 'yes' } }));
    const c = createServiceClient({
      service: 'liar',
      baseUrl: fake.url,
      internalTokenSecret: TEST_INTERNAL_SECRET,
    });
    const error = await c
      .call(itemRoutes.slow, { principal: testPrincipal(), query: { ms: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(fake.requests[0]?.headers['x-internal-token']).toBeTruthy();
    expect(fake.requests[0]?.path).toBe('/slow?ms=0');
    await c.close();
    await fake.close();
  });
});
