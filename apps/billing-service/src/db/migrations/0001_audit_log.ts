import { type Kysely, sql } from 'kysely';

// Every create, update, delete and search of a tenant is recorded here (DESIGN.md, tenancy).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('billing')
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index audit_log_tenant_created on billing.audit_log (tenant_id, created_at desc)`.execute(
    db,
  );
  await sql`alter table billing.audit_log enable row level security`.execute(db);
  await sql`alter table billing.audit_log force row level security`.execute(db);
  await sql`create policy tenant_isolation on billing.audit_log
    using (tenant_id = (select current_setting('app.tenant_id', true)))
    with check (tenant_id = (select current_setting('app.tenant_id', true)))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('billing').dropTable('audit_log').execute();
}
