import type { SearchResponse } from '@mna/shared';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { call, ingestAll, syntheticDocuments } from './fixtures.js';
import { eventually, indexingBudgetMs, useHarness, waitUntilIndexed } from './harness.js';

const TENANT = 'org_ingest';
const h = useHarness();

const memo = {
  externalId: 'memo-1',
  kind: 'deal_memo',
  title: 'Project Falcon: acquisition of Nordic Freight AB',
  content:
    'Nordic Freight AB runs cold-chain logistics across Sweden and Norway.\n\n' +
    'The buyer expects procurement synergies of 12 million euros and a faster route network.',
  metadata: { industry: 'logistics', region: 'EMEA', dealSizeUsd: 250_000_000, tags: ['cold-chain'] },
};

async function statusOf(id: string) {
  const res = await call(h, 'GET', `/v1/documents/${id}`, TENANT);
  return res.json() as { status: string; chunkCount: number; error: string | null };
}

describe('ingest → worker → searchable', () => {
  it('answers 202 queued, then the worker indexes it and every mode finds it', async () => {
    const res = await call(h, 'POST', '/v1/documents', TENANT, memo);
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json() as { id: string; status: string };
    expect(status).toBe('queued');
    const before = await statusOf(id);
    expect(before.status).toBe('queued');
    expect(before.chunkCount).toBe(1);

    h.startWorker();
    await eventually(async () => (await statusOf(id)).status === 'indexed');

    for (const mode of ['hybrid', 'semantic', 'keyword'] as const) {
      const found = await call(h, 'POST', '/v1/search', TENANT, {
        query: 'cold-chain freight acquisition',
        mode,
      });
      expect(found.statusCode).toBe(200);
      const body = found.json() as SearchResponse;
      expect(body.results[0]?.documentId).toBe(id);
      expect(body.results[0]?.snippet).toContain('Nordic Freight AB');
      expect(body.results[0]?.snippet).not.toContain('Project Falcon');
      if (mode !== 'keyword') expect(body.results[0]?.scores.semantic).toBeGreaterThan(0);
      if (mode !== 'semantic') expect(body.results[0]?.scores.keyword).toBeGreaterThan(0);
    }
  });

  it('re-posting unchanged content is a no-op; changed content re-indexes', async () => {
    const first = (await call(h, 'POST', '/v1/documents', TENANT, memo)).json() as {
      id: string;
      status: string;
    };
    expect(first.status).toBe('indexed');
    const rows = await h.db
      .selectFrom('search.audit_log')
      .select('action')
      .execute()
      .catch(() => []);
    expect(rows).toEqual([]); // the app role sees audit rows only inside a tenant transaction

    const changed = { ...memo, content: `${memo.content}\n\nThe seller is a family office in Oslo.` };
    const second = (await call(h, 'POST', '/v1/documents', TENANT, changed)).json() as {
      id: string;
      status: string;
    };
    expect(second.id).toBe(first.id);
    expect(second.status).toBe('queued');
    await eventually(async () => (await statusOf(first.id)).status === 'indexed');
    const found = await call(h, 'POST', '/v1/search', TENANT, {
      query: 'family office Oslo',
      mode: 'keyword',
    });
    expect((found.json() as { results: Array<{ documentId: string }> }).results[0]?.documentId).toBe(
      first.id,
    );
    const chunks = await sql<{ n: number }>`select count(*)::int as n from search.chunks`.execute(h.db);
    expect(chunks.rows[0]?.n).toBe(0); // outside a tenant transaction RLS shows nothing
  });

  // Its budget: indexing's, plus a minute for the bulk call.
  it(
    'accepts a bulk of 1000 documents in one call and indexes them all',
    async () => {
      const docs = syntheticDocuments(1000, { prefix: 'bulk' });
      const started = Date.now();
      const ids = await ingestAll(h, TENANT, docs);
      expect(ids).toHaveLength(1000);
      expect(new Set(ids).size).toBe(1000);
      expect(Date.now() - started).toBeLessThan(30_000);
      await waitUntilIndexed(h, TENANT, docs.length);
    },
    indexingBudgetMs(1000) + 60_000,
  );

  it('deletes a document with its chunks; it is gone from search and GET', async () => {
    const { id } = (
      await call(h, 'POST', '/v1/documents', TENANT, { ...memo, externalId: 'memo-del' })
    ).json() as {
      id: string;
    };
    await eventually(async () => (await statusOf(id)).status === 'indexed');
    expect((await call(h, 'DELETE', `/v1/documents/${id}`, TENANT)).statusCode).toBe(204);
    expect((await call(h, 'GET', `/v1/documents/${id}`, TENANT)).statusCode).toBe(404);
    expect((await call(h, 'DELETE', `/v1/documents/${id}`, TENANT)).statusCode).toBe(404);
    const res = await call(h, 'POST', '/v1/search', TENANT, {
      query: 'Nordic Freight',
      mode: 'keyword',
      limit: 100,
    });
    const ids = (res.json() as { results: Array<{ documentId: string }> }).results.map((r) => r.documentId);
    expect(ids).not.toContain(id);
  });

  it('writes an audit row for every create, update, delete and search', async () => {
    const { rows } = await h.db.transaction().execute(async (trx) => {
      await sql`select set_config('app.tenant_id', ${TENANT}, true)`.execute(trx);
      return sql<{ action: string; actor: string; request_id: string; details: Record<string, unknown> }>`
        select action, actor, request_id, details from search.audit_log order by id`.execute(trx);
    });
    const actions = rows.map((r) => r.action);
    expect(actions).toContain('document.create');
    expect(actions).toContain('document.update');
    expect(actions).toContain('document.delete');
    expect(actions).toContain('search');
    const search = rows.find((r) => r.action === 'search')!;
    expect(search.actor).toBe('user_test_1');
    expect(search.request_id).toMatch(/^req-/);
    expect(search.details).toMatchObject({ mode: 'hybrid', resultCount: expect.any(Number) });
    expect(search.details.queryHash).toMatch(/^[0-9a-f]{32}$/);
    expect(search.details.latencyMs).toEqual(expect.any(Number));
  });
});
