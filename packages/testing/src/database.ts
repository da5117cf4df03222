import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type {} from 'vitest';

/** Superuser connection to the cluster tests run against (trust auth on this machine and in CI). */
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The non-owner application role the services connect as (created by scripts/setup.sh). */
export const APP_ROLE = process.env.TEST_APP_ROLE ?? 'mna_app';
export const APP_ROLE_PASSWORD = process.env.TEST_APP_ROLE_PASSWORD ?? 'mna_app';

export function urlFor(database: string, user?: { name: string; password?: string }): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user.name;
    url.password = user.password ?? '';
  }
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the application role if the cluster lacks it (idempotent, safe under concurrency). */
export async function ensureAppRole(): Promise<void> {
  await withAdmin(async (client) => {
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]);
    if (rowCount) return;
    try {
      await client.query(
        `create role ${ident(APP_ROLE)} login password '${APP_ROLE_PASSWORD.replaceAll("'", "''")}' nosuperuser nocreatedb nocreaterole`,
      );
    } catch (error) {
      if ((error as { code?: string }).code !== '42710') throw error;
    }
  });
}

export type TemplateMigrate = (settings: { ownerUrl: string; appRole: string }) => Promise<unknown>;

/**
 * Builds a migrated template database once per test run (in vitest's globalSetup); test files clone
 * it. Returns the template's name and a teardown that drops it.
 */
export async function prepareTemplateDatabase(label: string, migrate: TemplateMigrate) {
  await ensureAppRole();
  const name = `mna_tpl_${label.replace(/[^a-z0-9]/gi, '_')}_${process.pid}`;
  await withAdmin(async (client) => {
    await client.query(`drop database if exists ${ident(name)} with (force)`);
    await client.query(`create database ${ident(name)}`);
  });
  const ownerUrl = urlFor(name);
  const setup = new pg.Client({ connectionString: ownerUrl });
  await setup.connect();
  await setup.query('create extension if not exists vector');
  await setup.end();
  await migrate({ ownerUrl, appRole: APP_ROLE });
  await withAdmin((client) => client.query(`alter database ${ident(name)} with is_template true`));
  return {
    name,
    teardown: () =>
      withAdmin(async (client) => {
        await client.query(`alter database ${ident(name)} with is_template false`);
        await client.query(`drop database if exists ${ident(name)} with (force)`);
      }),
  };
}

export type TestDatabase = {
  name: string;
  /** Connection as the owner (superuser): for migrations and test set-up. */
  ownerUrl: string;
  /** Connection as the non-owner application role: what a service uses. */
  appUrl: string;
  drop: () => Promise<void>;
};

/** A throwaway database for one test file, cloned from a migrated template (or empty). */
export async function createTestDatabase(template?: string): Promise<TestDatabase> {
  await ensureAppRole();
  const name = `mna_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await withAdmin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${ident(name)}${template ? ` template ${ident(template)}` : ''}`);
        return;
      } catch (error) {
        // Two files cloning one template at the same instant: the second waits its turn.
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  await withAdmin((client) => client.query(`grant connect on database ${ident(name)} to ${ident(APP_ROLE)}`));
  return {
    name,
    ownerUrl: urlFor(name),
    appUrl: urlFor(name, { name: APP_ROLE, password: APP_ROLE_PASSWORD }),
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists ${ident(name)} with (force)`)).then(
        () => {},
      ),
  };
}

declare module 'vitest' {
  interface ProvidedContext {
    /** Name of the migrated template database that test files clone. */
    templateDatabase: string;
  }
}

/** A throwaway database with one schema migrated by `migrate` (as the owner, for the app role). */
export async function createMigratedDatabase(migrate: TemplateMigrate): Promise<TestDatabase> {
  const database = await createTestDatabase();
  await migrate({ ownerUrl: database.ownerUrl, appRole: APP_ROLE });
  return database;
}
