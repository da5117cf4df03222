import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from './rls.js';

/**
 * A version number per tenant that statement-level triggers on `search.documents` bump whenever one of
 * the tenant's documents is inserted, updated (content, status, error) or deleted: one row per tenant,
 * read in O(1) by `GET /internal/data-version`, so result caches (AI analyses) can tell a current entry
 * from a stale one without searching. Tenants are locked in order, so concurrent statements touching
 * several tenants cannot deadlock on these rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table search.document_versions (
    tenant_id text primary key,
    version bigint not null
  )`.execute(db);
  await enableTenantRls(db, 'document_versions');
  await sql`create function search.bump_document_version() returns trigger
    language plpgsql as $$
    begin
      insert into search.document_versions as v (tenant_id, version)
      select distinct tenant_id, 1 from changed order by tenant_id
      on conflict (tenant_id) do update set version = v.version + 1;
      return null;
    end $$`.execute(db);
  for (const [event, table] of [
    ['insert', 'new'],
    ['update', 'new'],
    ['delete', 'old'],
  ] as const) {
    await sql`create trigger ${sql.id(`documents_version_${event}`)} after ${sql.raw(event)} on search.documents
      referencing ${sql.raw(table)} table as changed
      for each statement execute function search.bump_document_version()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const event of ['insert', 'update', 'delete'])
    await sql`drop trigger ${sql.id(`documents_version_${event}`)} on search.documents`.execute(db);
  await sql`drop function search.bump_document_version()`.execute(db);
  await sql`drop table search.document_versions`.execute(db);
}
