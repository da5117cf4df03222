import { type Kysely, sql } from 'kysely';

/**
 * Row level security for a tenant table: FORCE makes it apply to the owner too, and the policy reads
 * the transaction-local `app.tenant_id` once per statement (the sub-select is an InitPlan).
 */
export async function enableTenantRls(db: Kysely<unknown>, table: string): Promise<void> {
  const name = sql.table(`search.${table}`);
  await sql`alter table ${name} enable row level security`.execute(db);
  await sql`alter table ${name} force row level security`.execute(db);
  await sql`create policy tenant_isolation on ${name}
    using (tenant_id = (select current_setting('app.tenant_id', true)))
    with check (tenant_id = (select current_setting('app.tenant_id', true)))`.execute(db);
}
