import { type Kysely, sql } from 'kysely';

// Delivery bookkeeping of partner webhooks (issue 8, on top of 0004). `schedule_step` counts the
// scheduled attempts made: a delivery job for step n claims the message only while it is n - 1, so a
// duplicated or stale job never sends twice. One running recovery per endpoint at a time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table billing.webhook_messages add column schedule_step integer not null default 0;
    create index webhook_messages_endpoint_failed on billing.webhook_messages (endpoint_id, created_at, id)
      where status = 'failed';
    create unique index webhook_recoveries_one_running on billing.webhook_recoveries (endpoint_id)
      where status = 'running';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index billing.webhook_recoveries_one_running;
    drop index billing.webhook_messages_endpoint_failed;
    alter table billing.webhook_messages drop column schedule_step;
  `.execute(db);
}
