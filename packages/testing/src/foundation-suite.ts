import type { Migration } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createTestDatabase, type TestDatabase } from './database.js';
import { TEST_REDIS_URL } from './redis.js';

type InjectableApp = {
  inject: (options: { method: 'GET'; url: string }) => Promise<{ statusCode: number; json: () => unknown }>;
};

export type FoundationSuiteOptions = {
  service: string;
  schema: string;
  migrations: Record<string, Migration>;
  /** Runs the service's migrations as the kit does (`runMigrations`). */
  migrate: (settings: { ownerUrl: string; appRole: string }) => Promise<{ status: string }[]>;
  /** Builds the service's app on the given database and Redis; returns it and a closer. */
  build: (settings: {
    databaseUrl: string;
    redisUrl: string;
  }) => Promise<{ app: InjectableApp; close: () => Promise<void> }>;
};

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * What every data service must hold from the foundation: its migrations are idempotent, pgvector is
 * there, the application role owns nothing and is no superuser, every tenant table forces row level
 * security, and the app answers /healthz, /readyz and /metrics on real Postgres and Redis.
 */
export function describeServiceFoundation(options: FoundationSuiteOptions) {
  describe(`${options.service} foundation`, () => {
    let migrated: TestDatabase;
    beforeAll(async () => {
      migrated = await createTestDatabase(inject('templateDatabase'));
    });
    afterAll(async () => {
      await migrated.drop();
    });

    it('runs its migrations on an empty database, then again with no change', async () => {
      const empty = await createTestDatabase();
      try {
        await query(empty.ownerUrl, 'create extension if not exists vector');
        const first = await options.migrate({ ownerUrl: empty.ownerUrl, appRole: APP_ROLE });
        expect(first.map((r) => r.status)).toEqual(Object.keys(options.migrations).map(() => 'Success'));
        const second = await options.migrate({ ownerUrl: empty.ownerUrl, appRole: APP_ROLE });
        expect(second).toEqual([]);
      } finally {
        await empty.drop();
      }
    });

    it('has the vector extension installed', async () => {
      const rows = await query<{ extversion: string }>(
        migrated.ownerUrl,
        "select extversion from pg_extension where extname = 'vector'",
      );
      expect(rows[0]?.extversion).toMatch(/^0\.(8|9)|^[1-9]/);
    });

    it('connects as a role that is neither superuser nor owner of the tenant tables', async () => {
      const [role] = await query<{ rolsuper: boolean; current_user: string }>(
        migrated.appUrl,
        'select rolsuper, current_user from pg_roles where rolname = current_user',
      );
      expect(role).toEqual({ rolsuper: false, current_user: APP_ROLE });
      const tables = await query<{
        tablename: string;
        tableowner: string;
        forced: boolean;
        enabled: boolean;
      }>(
        migrated.ownerUrl,
        `select t.tablename, t.tableowner, c.relforcerowsecurity as forced, c.relrowsecurity as enabled
           from pg_tables t join pg_class c on c.relname = t.tablename
           join pg_namespace n on n.oid = c.relnamespace and n.nspname = t.schemaname
          where t.schemaname = $1 and exists (
            select 1 from information_schema.columns col
             where col.table_schema = t.schemaname and col.table_name = t.tablename and col.column_name = 'tenant_id')`,
        [options.schema],
      );
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) {
        expect(table.tableowner, table.tablename).not.toBe(APP_ROLE);
        expect({ table: table.tablename, enabled: table.enabled, forced: table.forced }).toEqual({
          table: table.tablename,
          enabled: true,
          forced: true,
        });
      }
    });

    it('answers /healthz, /readyz and /metrics on real Postgres and Redis', async () => {
      const { app, close } = await options.build({ databaseUrl: migrated.appUrl, redisUrl: TEST_REDIS_URL });
      try {
        expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
        const ready = await app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(200);
        expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
        expect((await app.inject({ method: 'GET', url: '/v1/does-not-exist' })).statusCode).toBe(404);
      } finally {
        await close();
      }
    });
  });
}
