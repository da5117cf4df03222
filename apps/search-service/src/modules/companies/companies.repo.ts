import type { Company, Relationship } from '@mna/shared';
import { sql, type Transaction } from 'kysely';
import type { SearchDatabase } from '../../db/schema.js';

type Trx = Transaction<SearchDatabase>;

export const COMPANY_COLUMNS = [
  'id',
  'external_id',
  'name',
  'description',
  'industry',
  'region',
  'employees',
  'revenue_usd',
  'tags',
  'embedding_status',
  'created_at',
  'updated_at',
] as const;

type CompanyRow = {
  id: string;
  external_id: string | null;
  name: string;
  description: string;
  industry: string | null;
  region: string | null;
  employees: number | null;
  revenue_usd: number | null;
  tags: string[];
  embedding_status: Company['embeddingStatus'];
  created_at: Date;
  updated_at: Date;
};

export const toCompany = (r: CompanyRow): Company => ({
  id: r.id,
  externalId: r.external_id,
  name: r.name,
  description: r.description,
  industry: r.industry,
  region: r.region,
  employees: r.employees,
  revenueUsd: r.revenue_usd,
  tags: r.tags,
  embeddingStatus: r.embedding_status,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export const RELATIONSHIP_COLUMNS = [
  'id',
  'from_company_id',
  'to_company_id',
  'kind',
  'strength',
  'source',
  'since',
  'created_at',
] as const;

export const toRelationship = (r: {
  id: string;
  from_company_id: string;
  to_company_id: string;
  kind: string;
  strength: number;
  source: string | null;
  since: Date | null;
  created_at: Date;
}): Relationship => ({
  id: r.id,
  fromCompanyId: r.from_company_id,
  toCompanyId: r.to_company_id,
  kind: r.kind as Relationship['kind'],
  strength: r.strength,
  source: r.source,
  since: r.since ? r.since.toISOString() : null,
  createdAt: r.created_at.toISOString(),
});

/** Every query names the tenant even though RLS would filter anyway: defence in depth. */
export const companiesRepo = {
  findById: (trx: Trx, tenantId: string, id: string) =>
    trx
      .selectFrom('search.companies')
      .select(COMPANY_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst(),

  findMany: (trx: Trx, tenantId: string, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : trx
          .selectFrom('search.companies')
          .select(COMPANY_COLUMNS)
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids)
          .execute(),

  /** Nearest profiles embedded by the same model as the company's own: two models' vectors never meet. */
  similar: (trx: Trx, tenantId: string, id: string, limit: number) =>
    sql<CompanyRow & { similarity: number }>`
      with target as (
        select embedding, embedding_model from search.companies where tenant_id = ${tenantId} and id = ${id}
      )
      select ${sql.join(COMPANY_COLUMNS.map((c) => sql.ref(`c.${c}`)))},
        1 - (c.embedding <=> t.embedding) as similarity
      from search.companies c, target t
      where c.tenant_id = ${tenantId} and c.id <> ${id} and c.embedding is not null
        and c.embedding_model = t.embedding_model
      order by c.embedding <=> t.embedding
      limit ${limit}`.execute(trx),

  /** Changes whenever a company or an edge of the tenant is written. */
  version: (trx: Trx, tenantId: string) =>
    sql<{ v: string }>`select concat_ws(':',
        (select count(*) || '-' || coalesce(max(updated_at)::text, '') from search.companies where tenant_id = ${tenantId}),
        (select count(*) || '-' || coalesce(max(updated_at)::text, '') from search.relationships where tenant_id = ${tenantId})
      ) as v`.execute(trx),
};
