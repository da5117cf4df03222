import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from './rls.js';

/**
 * Documents and their chunks. A chunk carries copies of its document's filter columns so that a
 * filtered vector query is one index scan on one table (pgvector iterative scans filter in place).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists vector`.execute(db);
  await sql`create table search.documents (
    id uuid primary key default gen_random_uuid(),
    tenant_id text not null,
    external_id text not null,
    kind text not null check (kind in ('company_profile', 'deal_memo', 'cim', 'news', 'note')),
    title text not null,
    content text not null,
    metadata jsonb not null default '{}'::jsonb,
    content_hash text not null,
    status text not null default 'queued' check (status in ('queued', 'indexed', 'failed')),
    error text,
    dead_lettered boolean not null default false,
    chunk_count integer not null default 0,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz not null default clock_timestamp(),
    unique (tenant_id, external_id),
    unique (tenant_id, id)
  )`.execute(db);
  await sql`create index documents_tenant_status on search.documents (tenant_id, status)`.execute(db);

  await sql`create table search.chunks (
    id uuid primary key default gen_random_uuid(),
    tenant_id text not null,
    document_id uuid not null,
    seq integer not null,
    text text not null,
    tsv tsvector generated always as (to_tsvector('english', text)) stored,
    embedding halfvec(1536),
    embedded_at timestamptz,
    kind text not null,
    industry text,
    region text,
    tags text[] not null default '{}',
    company_id uuid,
    deal_size_usd double precision,
    published_at timestamptz,
    created_at timestamptz not null default clock_timestamp(),
    unique (document_id, seq),
    foreign key (tenant_id, document_id) references search.documents (tenant_id, id) on delete cascade
  )`.execute(db);
  // Cosine distance (<=>) in the index and in every query.
  await sql`create index chunks_embedding_hnsw on search.chunks
    using hnsw (embedding halfvec_cosine_ops) with (m = 16, ef_construction = 64)`.execute(db);
  await sql`create index chunks_tsv_gin on search.chunks using gin (tsv)`.execute(db);
  await sql`create index chunks_tags_gin on search.chunks using gin (tags)`.execute(db);
  await sql`create index chunks_tenant on search.chunks (tenant_id)`.execute(db);
  await sql`create index chunks_tenant_kind on search.chunks (tenant_id, kind)`.execute(db);
  await sql`create index chunks_tenant_industry on search.chunks (tenant_id, industry)`.execute(db);
  await sql`create index chunks_tenant_region on search.chunks (tenant_id, region)`.execute(db);
  await sql`create index chunks_tenant_company on search.chunks (tenant_id, company_id)`.execute(db);
  await sql`create index chunks_tenant_deal_size on search.chunks (tenant_id, deal_size_usd)`.execute(db);
  await sql`create index chunks_tenant_published on search.chunks (tenant_id, published_at)`.execute(db);
  await sql`create index chunks_document on search.chunks (document_id) where embedding is null`.execute(db);
  await enableTenantRls(db, 'documents');
  await enableTenantRls(db, 'chunks');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table search.chunks`.execute(db);
  await sql`drop table search.documents`.execute(db);
}
