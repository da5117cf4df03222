import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { runMigrations } from '@mna/shared/kit';
import {
  createMigratedDatabase,
  deleteKeysWithPrefix,
  internalHeaders,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import pg from 'pg';
import { migrations, SCHEMA } from '../../../search-service/src/db/migrations/index.js';
import { REPO_ROOT, startServiceProcess } from '../processes.js';
import type { Acquisitions, Deal } from './crunchbase.js';

/** A scratch database with pgvector and search-service's schema migrated as in production. */
export function migratedSearchDatabase() {
  return createMigratedDatabase(async (settings) => {
    const owner = new pg.Client({ connectionString: settings.ownerUrl });
    await owner.connect();
    await owner.query('create extension if not exists vector');
    await owner.end();
    await runMigrations({ ...settings, schema: SCHEMA, migrations });
  });
}

/**
 * The real search-service (HTTP process and embedding worker process, local embedder) on a scratch
 * database migrated like production and its own Redis prefix.
 */
export async function startSearchStack() {
  const database = await migratedSearchDatabase();
  const prefix = uniquePrefix('partners-search');
  const env = {
    DATABASE_URL: database.appUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  };
  const service = await startServiceProcess('search-service', env);
  const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: join(REPO_ROOT, 'apps', 'search-service'),
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const owner = new pg.Pool({ connectionString: database.ownerUrl, max: 1 });
  return {
    url: service.url,
    /** Waits until every company of the tenant has its profile embedding. */
    async embedded(tenantId: string, timeoutMs = 600_000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
        const { rows } = await owner.query<{ n: string | number }>(
          'select count(*) as n from search.companies where tenant_id = $1 and embedding is null',
          [tenantId],
        );
        // count(*) is an int8: a string, or a number where the kit's type parser is loaded.
        if (Number(rows[0]?.n) === 0) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`companies of ${tenantId} not embedded in ${timeoutMs} ms`);
    },
    async close() {
      if (worker.exitCode === null) {
        worker.kill('SIGTERM');
        await once(worker, 'exit');
      }
      await service.stop();
      await owner.end();
      await deleteKeysWithPrefix(prefix);
      await database.drop();
    },
  };
}

async function post(url: string, tenantId: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...(await internalHeaders({ tenantId })), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/**
 * Loads a tenant through search-service's API as a user would: each company (categories as tags,
 * country / region as region, no description, sizes or industry: the export has none), then each tie
 * as an `acquirer` relationship from acquirer to target. Returns company ids by permalink.
 */
export async function loadTenant(
  url: string,
  tenantId: string,
  data: Acquisitions,
  companies: string[],
  ties: Deal[],
  concurrency = 8,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const queue = [...companies];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) {
        const p = data.profiles.get(ref)!;
        const saved = await post(url, tenantId, '/v1/companies', {
          externalId: ref.slice(0, 200),
          name: p.name.slice(0, 300),
          tags: p.tags.filter((t) => t.length <= 64).slice(0, 50),
          ...(p.region ? { region: p.region.slice(0, 120) } : {}),
        });
        ids.set(ref, saved.id);
      }
    }),
  );
  const edges = [...ties];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let d = edges.shift(); d; d = edges.shift())
        await post(url, tenantId, '/v1/relationships', {
          fromCompanyId: ids.get(d.acquirer),
          toCompanyId: ids.get(d.target),
          kind: 'acquirer',
          strength: 1,
          since: `${d.year}-07-01T00:00:00.000Z`,
        });
    }),
  );
  return ids;
}
