import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { call } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

// Under load the platform answered 500 on search, company and document routes alike: what they share
// is taking a database connection. When Postgres refuses one (too many connections, SQLSTATE 53300) or
// the pool has none free within its timeout, the service is busy, not broken: it answers 503
// problem+json with Retry-After, never a 500.
const TENANT = 'org_busy';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const request = (harness: Harness, i: number) =>
  [
    () =>
      call(harness, 'POST', '/v1/search', TENANT, { query: `logistics acquisition ${i}`, mode: 'hybrid' }),
    () => call(harness, 'GET', '/v1/companies?q=fin', TENANT),
    () =>
      call(harness, 'POST', '/v1/documents', TENANT, {
        externalId: `busy-${i}`,
        kind: 'note',
        title: `Note ${i}`,
        content: 'A short note about a carve-out.',
      }),
  ][i % 3]!();

function expectBusy(answer: Awaited<ReturnType<typeof call>>) {
  expect(answer.statusCode).toBe(503);
  expect(answer.headers['content-type']).toContain('application/problem+json');
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  expect(answer.json()).toMatchObject({ status: 503, title: 'Service unavailable' });
}

describe('a database that cannot hand out a connection', () => {
  it('answers 503 with Retry-After, not 500, when Postgres refuses connections (53300)', async () => {
    h = await createHarness({ template: inject('templateDatabase') });
    // The application role may open only 2 connections to this database; the pool wants up to 6.
    const owner = new pg.Client({ connectionString: h.ownerUrl });
    await owner.connect();
    const name = new URL(h.databaseUrl).pathname.slice(1);
    await owner.query(`alter database "${name}" connection limit 2`);
    await owner.end();

    const answers = await Promise.all(Array.from({ length: 18 }, (_, i) => request(h!, i)));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses).not.toContain(500);
    const refused = answers.filter((a) => a.statusCode === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) expectBusy(a);
    expect(statuses.filter((s) => s !== 503).every((s) => s === 200 || s === 202)).toBe(true);
  });

  it('answers 503 with Retry-After, not 500, when every pooled connection stays busy past the timeout', async () => {
    h = await createHarness({ template: inject('templateDatabase') });
    // The harness pool has 6 connections: hold them all for longer than the pool's 5 s wait.
    const holders = Array.from({ length: 6 }, () => sql`select pg_sleep(6.5)`.execute(h!.db));
    await new Promise((r) => setTimeout(r, 300));
    const answers = await Promise.all([request(h, 0), request(h, 1), request(h, 2)]);
    for (const a of answers) expectBusy(a);
    await Promise.all(holders);
    // Once connections are free again, the same requests succeed.
    const after = await Promise.all([request(h, 0), request(h, 1), request(h, 2)]);
    expect(after.map((a) => a.statusCode)).toEqual([200, 200, 202]);
  }, 30_000);
});
