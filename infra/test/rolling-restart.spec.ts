import { join } from 'node:path';
import { runMigrations } from '@mna/shared/kit';
import {
  APP_ROLE,
  createTestDatabase,
  deleteKeysWithPrefix,
  internalHeaders,
  TEST_INTERNAL_SECRET,
  type TestDatabase,
  uniquePrefix,
} from '@mna/testing';
import pg from 'pg';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type Spawned, start, waitFor } from './support/process.js';
import { repoPath } from './support/repo.js';

/**
 * A rolling restart as Render performs one: a new instance starts, traffic moves to it once its
 * /readyz answers 200, then the old instance gets SIGTERM while requests are still in flight on it.
 * Steady load (concurrent keep-alive clients on POST /v1/search) runs throughout; no request may fail.
 */
const APP_DIR = repoPath('apps/search-service');
const prefix = uniquePrefix('rolling');
let db: TestDatabase;

type Instance = { process: Spawned; port: number; pool: Pool };

async function startInstance(): Promise<Instance> {
  const port = await freePort();
  const process_ = start('node', ['--import', 'tsx', 'src/main.ts'], {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      REDIS_PREFIX: prefix,
      SHUTDOWN_GRACE_MS: '15000',
    },
  });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16, pipelining: 1 });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200,
    60_000,
    'readyz',
  ).catch((error: Error) => {
    process_.child.kill('SIGKILL');
    throw new Error(`${error.message}\n${process_.output()}`);
  });
  return { process: process_, port, pool };
}

beforeAll(async () => {
  db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  await client.query('create extension if not exists vector');
  await client.end();
  const { migrations, SCHEMA } = await import(join(APP_DIR, 'src/db/migrations/index.ts'));
  await runMigrations({ ownerUrl: db.ownerUrl, appRole: APP_ROLE, schema: SCHEMA, migrations });
}, 60_000);

afterAll(async () => {
  await db?.drop();
  await deleteKeysWithPrefix(prefix);
});

describe('rolling restart of search-service under steady load', () => {
  it('fails no request: in-flight requests finish on the old instance, new ones go to the new one', async () => {
    const old = await startInstance();
    let target = old;
    const results = { ok: 0, failed: [] as string[], servedByOldAfterSignal: 0 };
    let signalled = false;
    let running = true;
    let inFlightOnOld = 0;

    const client = async () => {
      while (running) {
        // The balancer picks the instance when the request leaves, as a proxy does.
        const headers = { 'content-type': 'application/json', ...(await internalHeaders()) };
        const instance = target;
        if (instance === old) inFlightOnOld++;
        try {
          const response = await instance.pool.request({
            method: 'POST',
            path: '/v1/search',
            headers,
            body: JSON.stringify({ query: 'acquisition of a fintech', mode: 'keyword', limit: 5 }),
          });
          const body = await response.body.text();
          if (response.statusCode === 200) results.ok++;
          else results.failed.push(`${response.statusCode} ${body.slice(0, 200)}`);
          if (signalled && instance === old && response.statusCode === 200) results.servedByOldAfterSignal++;
        } catch (error) {
          results.failed.push(`network: ${(error as Error).message}`);
        } finally {
          if (instance === old) inFlightOnOld--;
        }
      }
    };
    const clients = Array.from({ length: 12 }, client);

    await new Promise((r) => setTimeout(r, 1_500));
    const fresh = await startInstance();
    target = fresh;
    // Requests dispatched just before the switch are still in flight on the old instance.
    const inFlightAtSignal = inFlightOnOld;
    old.process.child.kill('SIGTERM');
    signalled = true;
    const oldExit = await old.process.exited;
    await new Promise((r) => setTimeout(r, 1_000));
    running = false;
    await Promise.all(clients);

    fresh.process.child.kill('SIGTERM');
    const freshExit = await fresh.process.exited;
    await Promise.all([old.pool.close(), fresh.pool.close()]);

    expect(results.failed).toEqual([]);
    // The restart really happened under load: requests were in flight on the old instance at SIGTERM
    // and it answered them (200) while draining.
    expect(inFlightAtSignal).toBeGreaterThan(0);
    expect(results.servedByOldAfterSignal).toBe(inFlightAtSignal);
    expect(results.ok).toBeGreaterThan(100);
    expect(oldExit, old.process.output()).toBe(0);
    expect(freshExit, fresh.process.output()).toBe(0);
  }, 120_000);
});
