import { withTenant } from '@mna/shared/kit';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { useHarness } from './harness.js';

// Postgres text cannot hold NUL (`invalid byte sequence for encoding "UTF8": 0x00`, a 500 before), and a
// lone surrogate cannot be encoded as UTF-8 at all (pg silently turned it into U+FFFD). Every route
// refuses both before its handler runs: 400 problem+json naming the field.
const TENANT = 'org_bytes';
const h = useHarness();

const doc = { externalId: 'b-1', kind: 'note', title: 'A note', content: 'Some text.' };

const cases: Array<[string, 'GET' | 'POST', string, unknown, string]> = [
  ['NUL in a search query', 'POST', '/v1/search', { query: 'a\u0000b', mode: 'keyword' }, 'body.query'],
  [
    'NUL in filters.tags',
    'POST',
    '/v1/search',
    { query: 'ab', mode: 'keyword', filters: { tags: ['x\u0000'] } },
    'body.filters.tags.0',
  ],
  ['NUL in a document', 'POST', '/v1/documents', { ...doc, content: 'pdf\u0000text' }, 'body.content'],
  [
    'NUL in a bulk document title',
    'POST',
    '/v1/documents/bulk',
    { documents: [doc, { ...doc, externalId: 'b-2', title: '\u0000' }] },
    'body.documents.1.title',
  ],
  ['NUL in a company name', 'POST', '/v1/companies', { name: 'Acme\u0000' }, 'body.name'],
  ['a lone high surrogate', 'POST', '/v1/companies', { name: 'Acme \ud800 Ltd' }, 'body.name'],
  ['a lone low surrogate', 'POST', '/v1/documents', { ...doc, title: '\udc00x' }, 'body.title'],
  ['NUL in a query string', 'GET', '/v1/companies?q=a%00b', undefined, 'querystring.q'],
  ['NUL in an object key', 'POST', '/v1/companies', { name: 'A', 'k\u0000': 1 }, 'body'],
];

describe('text with NUL or lone surrogates', () => {
  for (const [name, method, url, payload, field] of cases) {
    it(`${name}: 400 problem+json naming ${field}`, async () => {
      const res = await call(h, method, url, TENANT, payload);
      expect(res.statusCode).toBe(400);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      const body = res.json() as { errors: Array<{ path: string; message: string }> };
      expect(body.errors.map((e) => e.path)).toContain(field);
    });
  }

  it('stores nothing, and valid text with astral characters and escapes still goes through', async () => {
    const { rows } = await withTenant(h.db, TENANT, (trx) =>
      sql<{ n: number }>`select (select count(*) from search.documents)::int
        + (select count(*) from search.companies)::int as n`.execute(trx),
    );
    expect(rows[0]!.n).toBe(0);
    const ok = await call(h, 'POST', '/v1/documents', TENANT, {
      ...doc,
      title: 'Deal 🤝 \\u0000 “quoted”',
    });
    expect(ok.statusCode).toBe(202);
  });
});
