import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, type Migration, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';

// int8 (counts) as JS numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export type DbSettings = { connectionString: string; max?: number; applicationName?: string };

/** A Kysely instance on a pg pool. */
export function createDb<DB>(settings: DbSettings): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max ?? 10,
    application_name: settings.applicationName ?? 'mna',
    connectionTimeoutMillis: 5_000,
  });
  // An idle client whose connection Postgres ends (restart, failover, a dropped database) emits
  // 'error' on the pool; unhandled, that would crash the process. The pool replaces the client.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/** SQLSTATEs of a server that refuses new connections for now: too many clients, starting or stopping. */
const CONNECTION_REFUSED_CODES = new Set(['53300', '57P03']);
/** pg's own messages when a pooled connection cannot be had in time. */
const POOL_TIMEOUT =
  /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/;

/**
 * True when an error means "no database connection right now" (the pool's wait ran out, or Postgres
 * refused a new connection): the service is busy, not broken, and the request may be retried.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && CONNECTION_REFUSED_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && POOL_TIMEOUT.test(e.message);
}

/** SQLSTATEs with which PostgreSQL asks for the whole transaction to be run again. */
const RETRYABLE_TRANSACTION_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** True when PostgreSQL aborted a transaction only because of a concurrent one: running it again may succeed. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_TRANSACTION_CODES.has(code);
}

export type TransactionRetry = {
  /** Runs of the transaction at most, the first included; default 4. */
  attempts?: number;
  /** The wait before the n-th retry is uniform in [0, min(maxDelayMs, baseDelayMs × 2^(n-1))). */
  baseDelayMs?: number;
  maxDelayMs?: number;
};

/**
 * Runs `fn` in a transaction, and runs it again (a bounded number of times, after a jittered
 * exponential wait so the contenders do not collide again in step) when PostgreSQL aborts it with a
 * serialization failure or a deadlock. `fn` must keep its effects inside the transaction.
 */
export async function withTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
  retry: TransactionRetry = {},
): Promise<T> {
  const attempts = retry.attempts ?? 4;
  const base = retry.baseDelayMs ?? 10;
  const max = retry.maxDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
      await sleep(Math.random() * Math.min(max, base * 2 ** (attempt - 1)));
    }
  }
}

/** Readiness check: one round trip. */
export const pingDb = <DB>(db: Kysely<DB>) => sql`select 1`.execute(db);

/**
 * Runs a function in a transaction bound to one tenant: `app.tenant_id` is set with
 * `set_config(..., true)`, so it lives only as long as the transaction and never leaks to the next
 * user of the pooled connection. Row level security policies read it. Retried like `withTransaction`.
 */
export function withTenant<DB, T>(
  db: Kysely<DB>,
  tenantId: string,
  fn: (trx: Transaction<DB>) => Promise<T>,
  retry?: TransactionRetry,
) {
  return withTransaction(
    db,
    async (trx) => {
      await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
      return fn(trx);
    },
    retry,
  );
}

/**
 * PL/pgSQL statements for a function that acts as one tenant (its `tenantParam`): they bind the
 * transaction to that tenant the way `withTenant` does, and refuse a transaction already bound to
 * another one. A `security invoker` function that starts with them and is called as one statement
 * outside any transaction is a tenant-bound read or write in one round trip.
 */
export const bindTenantStatements = (tenantParam: string) =>
  sql.raw(`if coalesce(pg_catalog.current_setting('app.tenant_id', true), '') not in ('', ${tenantParam}) then
    raise exception 'the transaction is bound to another tenant' using errcode = 'insufficient_privilege';
  end if;
  perform pg_catalog.set_config('app.tenant_id', ${tenantParam}, true);`);

export type MigrationSettings = {
  /** A role that may create schemas and tables (the owner); never the application role. */
  ownerUrl: string;
  /** The non-owner role the service connects as; it gets DML rights only. */
  appRole: string;
  schema: string;
  migrations: Record<string, Migration>;
};

/** Applies a service's migrations in its own schema (idempotent) and grants the application role DML. */
export async function runMigrations(settings: MigrationSettings) {
  const db = createDb<unknown>({
    connectionString: settings.ownerUrl,
    max: 1,
    applicationName: 'mna-migrate',
  });
  try {
    const schema = sql.id(settings.schema);
    const role = sql.id(settings.appRole);
    await sql`create schema if not exists ${schema}`.execute(db);
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => settings.migrations },
      migrationTableSchema: settings.schema,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    await sql`grant usage on schema ${schema} to ${role}`.execute(db);
    await sql`grant select, insert, update, delete on all tables in schema ${schema} to ${role}`.execute(db);
    await sql`grant usage, select on all sequences in schema ${schema} to ${role}`.execute(db);
    await sql`revoke all on ${sql.table(`${settings.schema}.kysely_migration`)}, ${sql.table(`${settings.schema}.kysely_migration_lock`)} from ${role}`.execute(
      db,
    );
    return results ?? [];
  } finally {
    await db.destroy();
  }
}

/** The user name of a connection string (the application role). */
export const roleOf = (connectionString: string): string =>
  decodeURIComponent(new URL(connectionString).username);
