import { createDb, toAppError, withTransaction } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../src/index.js';
import { kitSchemaDatabase } from './fixtures/kit-schema.js';

// biome-ignore lint/suspicious/noExplicitAny: a throwaway schema without a typed database
type Db = Kysely<any>;
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await kitSchemaDatabase('kit_tx', {
    '0001_rows': {
      up: async (m) => {
        await sql`create table kit_tx.rows (id int primary key, n int not null default 0)`.execute(m);
        await sql`insert into kit_tx.rows (id) values (1), (2)`.execute(m);
      },
    },
  });
  db = createDb({ connectionString: database.appUrl, max: 4 });
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

/**
 * Two transactions that lock rows 1 and 2 in opposite orders; on their first run each waits for the
 * other to hold its first row, so PostgreSQL must abort one of them with 40P01.
 */
async function opposingTransactions(attempts: number) {
  const runs = { a: 0, b: 0 };
  let arrived = 0;
  let release!: () => void;
  const bothHoldOne = new Promise<void>((r) => {
    release = r;
  });
  const lockBoth = (key: 'a' | 'b', first: number, second: number) =>
    withTransaction(
      db,
      async (trx) => {
        runs[key]++;
        await sql`update kit_tx.rows set n = n + 1 where id = ${first}`.execute(trx);
        if (runs[key] === 1) {
          if (++arrived === 2) release();
          await bothHoldOne;
        }
        await sql`update kit_tx.rows set n = n + 1 where id = ${second}`.execute(trx);
        return key;
      },
      { attempts },
    );
  const results = await Promise.allSettled([lockBoth('a', 1, 2), lockBoth('b', 2, 1)]);
  const { rows } = await sql<{ n: number }>`select n from kit_tx.rows order by id`.execute(db);
  await sql`update kit_tx.rows set n = 0`.execute(db);
  return { results, runs, counts: rows.map((r) => r.n) };
}

describe('the kit transaction helper', () => {
  it('runs a transaction PostgreSQL aborted with a deadlock again, and both commit once', async () => {
    const { results, runs, counts } = await opposingTransactions(4);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(runs.a + runs.b).toBe(3);
    expect(counts).toEqual([2, 2]);
  }, 20_000);

  it('gives up after its attempts, and the error becomes a 503 problem with Retry-After', async () => {
    const { results, counts } = await opposingTransactions(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const error = (rejected[0] as PromiseRejectedResult).reason;
    expect(error.code).toBe('40P01');
    const problem = toAppError(error);
    expect(problem?.status).toBe(503);
    expect(problem?.headers['retry-after']).toBe('1');
    expect(counts).toEqual([1, 1]);
  }, 20_000);

  it('does not run again on other errors', async () => {
    let runs = 0;
    await expect(
      withTransaction(db, async (trx) => {
        runs++;
        await sql`insert into kit_tx.rows (id) values (1)`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });
});
