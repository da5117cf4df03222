import { withTenant } from '@mna/shared/kit';
import { internalHeaders } from '@mna/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { useHarness } from './harness.js';

const TENANT = 'org_validation';
const h = useHarness();

const goodDoc = { externalId: 'v-1', kind: 'note', title: 'A note', content: 'Some text.' };

async function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json() as { status: number; instance: string; title: string };
  expect(body.status).toBe(status);
  expect(body.instance).toBeTruthy();
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
}

async function storedCount() {
  const { rows } = await withTenant(h.db, TENANT, (trx) =>
    sql<{ d: number; c: number }>`select (select count(*) from search.documents)::int as d,
      (select count(*) from search.chunks)::int as c`.execute(trx),
  );
  return rows[0]!;
}

describe('bad input answers 4xx problem+json and stores nothing', () => {
  const searches: Array<[string, Record<string, unknown>]> = [
    ['empty query', { query: '' }],
    ['blank query', { query: '   ' }],
    ['limit 0', { query: 'x', limit: 0 }],
    ['limit 1000', { query: 'x', limit: 1000 }],
    ['unknown filter', { query: 'x', filters: { colour: ['red'] } }],
    ['unknown mode', { query: 'x', mode: 'fuzzy' }],
    ['non-UUID companyId', { query: 'x', filters: { companyId: 'abc' } }],
    ['invalid cursor', { query: 'x', cursor: 'not-a-cursor' }],
    ['forged cursor', { query: 'x', cursor: Buffer.from('{"v":1}').toString('base64url') }],
    ['negative minScore', { query: 'x', minScore: -1 }],
  ];
  for (const [name, body] of searches) {
    it(`search: ${name}`, async () => {
      await expectProblem(await call(h, 'POST', '/v1/search', TENANT, body), 400);
    });
  }

  it('a 10 MB document is refused', async () => {
    const res = await call(h, 'POST', '/v1/documents', TENANT, {
      ...goodDoc,
      content: 'x'.repeat(10 * 1024 * 1024),
    });
    expect([400, 413]).toContain(res.statusCode);
    await expectProblem(res, res.statusCode);
    expect(await storedCount()).toEqual({ d: 0, c: 0 });
  });

  it('documents with missing or unknown fields, bad kinds, or an oversized bulk', async () => {
    const bad = [
      { ...goodDoc, kind: 'tweet' },
      { ...goodDoc, title: '' },
      { ...goodDoc, extra: true },
      { ...goodDoc, metadata: { colour: 'red' } },
      { ...goodDoc, metadata: { companyId: 'nope' } },
      { externalId: 'x' },
    ];
    for (const doc of bad) await expectProblem(await call(h, 'POST', '/v1/documents', TENANT, doc), 400);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ ...goodDoc, externalId: `b-${i}` }));
    await expectProblem(await call(h, 'POST', '/v1/documents/bulk', TENANT, { documents: tooMany }), 400);
    const dup = [goodDoc, goodDoc];
    await expectProblem(await call(h, 'POST', '/v1/documents/bulk', TENANT, { documents: dup }), 400);
    await expectProblem(await call(h, 'POST', '/v1/documents/bulk', TENANT, { documents: [] }), 400);
    expect(await storedCount()).toEqual({ d: 0, c: 0 });
  });

  it('non-UUID ids answer 400; unknown ids 404', async () => {
    await expectProblem(await call(h, 'GET', '/v1/documents/123', TENANT), 400);
    await expectProblem(await call(h, 'DELETE', '/v1/documents/abc', TENANT), 400);
    await expectProblem(await call(h, 'GET', '/v1/companies/abc/similar', TENANT), 400);
    await expectProblem(await call(h, 'GET', `/v1/documents/${crypto.randomUUID()}`, TENANT), 404);
  });

  it('companies: a head count beyond what the column holds (found by the contract fuzz)', async () => {
    const res = await call(h, 'POST', '/v1/companies', TENANT, { name: 'Acme', employees: 2788803573049844 });
    await expectProblem(res, 400);
    expect(JSON.stringify(res.json())).toContain('body.employees');
  });

  it('relationships: strength outside 0–1, self-edges and unknown kinds', async () => {
    const id = crypto.randomUUID();
    for (const body of [
      { fromCompanyId: id, toCompanyId: crypto.randomUUID(), kind: 'partner', strength: 1.5 },
      { fromCompanyId: id, toCompanyId: crypto.randomUUID(), kind: 'friend', strength: 0.5 },
      { fromCompanyId: id, toCompanyId: id, kind: 'partner', strength: 0.5 },
    ]) {
      await expectProblem(await call(h, 'POST', '/v1/relationships', TENANT, body), 400);
    }
  });

  it('refuses calls without a valid internal token', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/search', payload: { query: 'x' } });
    await expectProblem(res, 401);
    const forged = await h.app.inject({
      method: 'POST',
      url: '/v1/search',
      payload: { query: 'x' },
      headers: await internalHeaders({ tenantId: TENANT }, 'another-secret-that-is-long-enough-000'),
    });
    await expectProblem(forged, 401);
  });
});
