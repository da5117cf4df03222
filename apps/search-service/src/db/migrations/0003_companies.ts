import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from './rls.js';

/** The tenant's ecosystem: companies with a profile embedding, and typed weighted edges. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table search.companies (
    id uuid primary key default gen_random_uuid(),
    tenant_id text not null,
    external_id text,
    name text not null,
    description text not null default '',
    industry text,
    region text,
    employees integer,
    revenue_usd double precision,
    tags text[] not null default '{}',
    profile_hash text not null,
    embedding halfvec(1536),
    embedding_status text not null default 'queued'
      check (embedding_status in ('queued', 'indexed', 'failed')),
    error text,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz not null default clock_timestamp(),
    unique (tenant_id, external_id),
    unique (tenant_id, id)
  )`.execute(db);
  await sql`create index companies_embedding_hnsw on search.companies
    using hnsw (embedding halfvec_cosine_ops)`.execute(db);
  await sql`create index companies_tenant_name on search.companies (tenant_id, lower(name))`.execute(db);
  await sql`create index companies_tenant_industry on search.companies (tenant_id, industry)`.execute(db);

  // Composite foreign keys: an edge can only join two companies of its own tenant.
  await sql`create table search.relationships (
    id uuid primary key default gen_random_uuid(),
    tenant_id text not null,
    from_company_id uuid not null,
    to_company_id uuid not null,
    kind text not null
      check (kind in ('investor', 'partner', 'supplier', 'customer', 'board', 'acquirer', 'advisor')),
    strength double precision not null check (strength >= 0 and strength <= 1),
    source text,
    since timestamptz,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz not null default clock_timestamp(),
    unique (tenant_id, from_company_id, to_company_id, kind),
    check (from_company_id <> to_company_id),
    foreign key (tenant_id, from_company_id) references search.companies (tenant_id, id) on delete cascade,
    foreign key (tenant_id, to_company_id) references search.companies (tenant_id, id) on delete cascade
  )`.execute(db);
  await sql`create index relationships_to on search.relationships (tenant_id, to_company_id)`.execute(db);
  await enableTenantRls(db, 'companies');
  await enableTenantRls(db, 'relationships');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table search.relationships`.execute(db);
  await sql`drop table search.companies`.execute(db);
}
