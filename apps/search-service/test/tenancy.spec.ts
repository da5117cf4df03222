import type { Company, Graph, Relationship, SearchResponse } from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { eventually, useHarness } from './harness.js';

const A = 'org_tenant_a';
const B = 'org_tenant_b';
const h = useHarness();
const ids: Record<string, { doc: string; c1: string; c2: string; rel: string }> = {};

const document = {
  externalId: 'shared-ext-id',
  kind: 'cim',
  title: 'Confidential memorandum: Helios Solar',
  content: 'Helios Solar builds utility-scale photovoltaic parks in Spain and Portugal.',
  metadata: { industry: 'energy', region: 'EMEA' },
};

async function seed(tenant: string) {
  const doc = (await call(h, 'POST', '/v1/documents', tenant, document)).json() as { id: string };
  const c1 = (
    await call(h, 'POST', '/v1/companies', tenant, {
      externalId: 'helios',
      name: 'Helios Solar',
      description: 'Utility-scale solar developer',
      industry: 'energy',
      tags: ['solar'],
    })
  ).json() as Company;
  const c2 = (
    await call(h, 'POST', '/v1/companies', tenant, {
      externalId: 'sunfund',
      name: 'Sunfund Capital',
      description: 'Infrastructure fund investing in solar developers',
      industry: 'finance',
    })
  ).json() as Company;
  const rel = (
    await call(h, 'POST', '/v1/relationships', tenant, {
      fromCompanyId: c2.id,
      toCompanyId: c1.id,
      kind: 'investor',
      strength: 0.8,
    })
  ).json() as Relationship;
  ids[tenant] = { doc: doc.id, c1: c1.id, c2: c2.id, rel: rel.id };
}

beforeAll(async () => {
  h.startWorker();
  await seed(A);
  await seed(B);
  for (const t of [A, B]) {
    await eventually(async () => {
      const d = (await call(h, 'GET', `/v1/documents/${ids[t]!.doc}`, t)).json() as { status: string };
      const c = (await call(h, 'GET', `/v1/companies/${ids[t]!.c2}`, t)).json() as Company;
      return d.status === 'indexed' && c.embeddingStatus === 'indexed';
    });
  }
});

describe('tenant isolation through the API', () => {
  it('identical content in two tenants gives two documents, each seen only by its owner', async () => {
    expect(ids[A]!.doc).not.toBe(ids[B]!.doc);
    for (const mode of ['hybrid', 'semantic', 'keyword']) {
      const res = (
        await call(h, 'POST', '/v1/search', B, { query: 'Helios Solar photovoltaic', mode })
      ).json() as SearchResponse;
      expect(res.results.map((r) => r.documentId)).toEqual([ids[B]!.doc]);
    }
  });

  it("answers 404 for another tenant's document, company and their sub-resources", async () => {
    const a = ids[A]!;
    expect((await call(h, 'GET', `/v1/documents/${a.doc}`, B)).statusCode).toBe(404);
    expect((await call(h, 'DELETE', `/v1/documents/${a.doc}`, B)).statusCode).toBe(404);
    expect((await call(h, 'GET', `/v1/documents/${a.doc}`, A)).statusCode).toBe(200);
    expect((await call(h, 'GET', `/v1/companies/${a.c1}`, B)).statusCode).toBe(404);
    expect((await call(h, 'GET', `/v1/companies/${a.c1}/similar`, B)).statusCode).toBe(404);
    expect((await call(h, 'GET', `/v1/companies/${a.c1}/relationships`, B)).statusCode).toBe(404);
    expect((await call(h, 'GET', `/internal/graph?companyId=${a.c1}`, B)).statusCode).toBe(404);
    const cross = await call(h, 'POST', '/v1/relationships', B, {
      fromCompanyId: ids[B]!.c1,
      toCompanyId: a.c2,
      kind: 'partner',
      strength: 0.5,
    });
    expect(cross.statusCode).toBe(404);
    expect(cross.headers['content-type']).toContain('application/problem+json');
  });

  it('similar, relationships, company lists and the graph stay inside the tenant', async () => {
    const b = ids[B]!;
    const similar = (await call(h, 'GET', `/v1/companies/${b.c1}/similar`, B)).json() as {
      companies: Array<{ company: Company; similarity: number }>;
    };
    expect(similar.companies.map((c) => c.company.id)).toEqual([b.c2]);
    const rels = (await call(h, 'GET', `/v1/companies/${b.c1}/relationships`, B)).json() as {
      relationships: Relationship[];
    };
    expect(rels.relationships.map((r) => r.id)).toEqual([b.rel]);
    const list = (await call(h, 'GET', '/v1/companies?q=helios', B)).json() as { companies: Company[] };
    expect(list.companies.map((c) => c.id)).toEqual([b.c1]);
    const graph = (await call(h, 'GET', '/internal/graph', B)).json() as Graph;
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([b.c1, b.c2].sort());
    expect(graph.edges.map((e) => e.id)).toEqual([b.rel]);
  });
});

describe('row level security alone', () => {
  const tables = ['documents', 'chunks', 'companies', 'relationships', 'audit_log'];

  it("returns none of A's rows to B's transaction even with no tenant filter in the query", async () => {
    for (const table of tables) {
      const rows = await withTenant(
        h.db,
        B,
        async (trx) =>
          (
            await sql<{ tenant_id: string }>`select tenant_id from ${sql.table(`search.${table}`)}`.execute(
              trx,
            )
          ).rows,
      );
      expect(rows.length, table).toBeGreaterThan(0);
      expect(
        rows.every((r) => r.tenant_id === B),
        table,
      ).toBe(true);
      // Direct lookups of A's ids by primary key find nothing either.
      const hit = await withTenant(
        h.db,
        B,
        async (trx) =>
          (
            await sql`select 1 from search.documents where id = ${ids[A]!.doc}
            union all select 1 from search.companies where id = ${ids[A]!.c1}`.execute(trx)
          ).rows,
      );
      expect(hit).toEqual([]);
    }
  });

  it('shows nothing without a tenant set, and refuses writes into another tenant', async () => {
    for (const table of tables) {
      const { rows } = await sql`select 1 from ${sql.table(`search.${table}`)}`.execute(h.db);
      expect(rows, table).toEqual([]);
    }
    await expect(
      withTenant(h.db, B, (trx) =>
        sql`update search.documents set title = 'hijacked' where id = ${ids[A]!.doc} returning id`.execute(
          trx,
        ),
      ).then((r) => r.rows),
    ).resolves.toEqual([]);
    await expect(
      withTenant(h.db, B, (trx) =>
        sql`insert into search.companies (tenant_id, name, profile_hash) values (${A}, 'x', 'x')`.execute(
          trx,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('the pooled connection does not carry the tenant to the next transaction', async () => {
    await withTenant(h.db, A, (trx) => sql`select 1`.execute(trx));
    const { rows } = await sql<{
      t: string | null;
    }>`select current_setting('app.tenant_id', true) as t`.execute(h.db);
    expect(rows[0]?.t ?? '').toBe('');
  });
});
