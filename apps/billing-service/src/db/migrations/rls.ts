import { type Kysely, sql } from 'kysely';

/**
 * Row level security for billing tables with a tenant_id: a transaction sees one tenant's rows
 * (`app.tenant_id`), or every row when it runs as the billing system (`app.billing_scope = 'system'`).
 */
export async function enableTenantOrSystemRls(db: Kysely<unknown>, tables: string[]): Promise<void> {
  for (const table of tables) {
    const t = sql.table(`billing.${table}`);
    await sql`alter table ${t} enable row level security`.execute(db);
    await sql`alter table ${t} force row level security`.execute(db);
    await sql`create policy tenant_or_system on ${t}
      using (tenant_id = (select current_setting('app.tenant_id', true))
             or (select current_setting('app.billing_scope', true)) = 'system')
      with check (tenant_id = (select current_setting('app.tenant_id', true))
             or (select current_setting('app.billing_scope', true)) = 'system')`.execute(db);
  }
}
