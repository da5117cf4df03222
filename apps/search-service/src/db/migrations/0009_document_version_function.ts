import { bindTenantStatements } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';

/**
 * `search.document_version(tenant)`: the tenant's documents' version (0 before the first document),
 * read as that tenant in one statement, so `GET /internal/data-version` (asked on every AI cache hit)
 * is one round trip instead of a four-statement tenant transaction. Runs as the caller: row level
 * security applies.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create function search.document_version(p_tenant_id text) returns bigint
    language plpgsql security invoker as $fn$
    begin
      ${bindTenantStatements('p_tenant_id')}
      return coalesce((select v.version from search.document_versions v where v.tenant_id = p_tenant_id), 0);
    end $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function search.document_version(text)`.execute(db);
}
