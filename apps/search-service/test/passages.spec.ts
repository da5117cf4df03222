import { PassagesSchema } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { useHarness } from './harness.js';

const A = 'org_passages_a';
const B = 'org_passages_b';
const h = useHarness();

const filler = (topic: string) =>
  Array.from(
    { length: 6 },
    (_, i) => `The ${topic} section continues with paragraph detail number ${i} about operations and plans.`,
  ).join(' ');

/** A CIM long enough for several chunks, one topic a paragraph. */
const cim = {
  externalId: 'cim-halcyon',
  kind: 'cim',
  title: 'Halcyon Robotics CIM',
  content: [
    `Business overview. Halcyon Robotics builds warehouse picking robots. ${filler('overview')}`,
    `Customers. One customer accounted for 62% of revenue in 2025 under a contract that expires in June 2026. ${filler('customer')}`,
    `Legal proceedings. A securities class action was filed against the company in the Northern District of California. ${filler('legal')}`,
    `People. The chief financial officer resigned in March and the head of sales left in April. ${filler('people')}`,
  ].join('\n\n'),
};
const memo = {
  externalId: 'memo-halcyon',
  kind: 'deal_memo',
  title: 'Halcyon memo',
  content: 'Internal memo: the lawsuit and the customer contract need counsel review before any bid.',
};

async function passages(tenantId: string, body: object) {
  return call(h, 'POST', '/internal/passages', tenantId, body);
}

describe('POST /internal/passages', () => {
  it('answers the named documents’ chunks verbatim, best match first, every document represented early', async () => {
    const ingested = await call(h, 'POST', '/v1/documents/bulk', A, { documents: [cim, memo] });
    const [cimId, memoId] = (ingested.json() as { ids: [string, string] }).ids;
    const res = await passages(A, { documentIds: [cimId, memoId], query: 'litigation class action lawsuit' });
    expect(res.statusCode).toBe(200);
    const body = PassagesSchema.parse(res.json());
    expect(body.passages.length).toBeGreaterThan(3);
    // Each passage is a chunk of its document (headed by its title, as chunks are indexed); ids are distinct.
    for (const p of body.passages) {
      const source = p.documentId === cimId ? cim : memo;
      expect(p.text.startsWith(`${source.title}\n\n`)).toBe(true);
      expect(source.content).toContain(p.text.slice(source.title.length + 2, 300));
    }
    expect(new Set(body.passages.map((p) => p.chunkId)).size).toBe(body.passages.length);
    // The best chunk of each document comes before any second-best one.
    expect(new Set(body.passages.slice(0, 2).map((p) => p.documentId))).toEqual(new Set([cimId, memoId]));
    const firstCim = body.passages.find((p) => p.documentId === cimId)!;
    expect(firstCim.text).toContain('securities class action was filed');
    expect(firstCim.score).toBeGreaterThan(0);

    const people = PassagesSchema.parse(
      (
        await passages(A, { documentIds: [cimId], query: 'chief financial officer resigned', limit: 1 })
      ).json(),
    );
    expect(people.passages).toHaveLength(1);
    expect(people.passages[0]!.text).toContain('chief financial officer resigned');
  });

  it('is a 404 for another tenant’s or an unknown document, 400 for bad input, 401 without the internal token', async () => {
    const [mine] = (
      (
        await call(h, 'POST', '/v1/documents/bulk', A, { documents: [{ ...memo, externalId: 'memo-2' }] })
      ).json() as {
        ids: string[];
      }
    ).ids;
    const foreign = await passages(B, { documentIds: [mine], query: 'lawsuit' });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toContain('application/problem+json');
    const unknown = await passages(A, {
      documentIds: [mine, '00000000-0000-4000-8000-000000000000'],
      query: 'x',
    });
    expect(unknown.statusCode).toBe(404);
    expect((await passages(A, { documentIds: [], query: 'lawsuit' })).statusCode).toBe(400);
    expect((await passages(A, { documentIds: ['not-a-uuid'], query: 'lawsuit' })).statusCode).toBe(400);
    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/internal/passages',
      payload: { documentIds: [mine], query: 'lawsuit' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers chunks in document order when the query matches nothing (punctuation cannot break the query)', async () => {
    const [id] = (
      (
        await call(h, 'POST', '/v1/documents/bulk', A, { documents: [{ ...cim, externalId: 'cim-3' }] })
      ).json() as {
        ids: string[];
      }
    ).ids;
    const res = await passages(A, { documentIds: [id], query: "zzz & | ! ( ) ' :* qqq" });
    expect(res.statusCode).toBe(200);
    const body = PassagesSchema.parse(res.json());
    expect(body.passages.map((p) => p.seq)).toEqual(
      [...body.passages.map((p) => p.seq)].sort((a, b) => a - b),
    );
    expect(body.passages[0]!.text).toContain('Business overview');
  });
});
