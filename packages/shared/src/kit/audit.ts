import { type Kysely, type Migration, sql, type Transaction } from 'kysely';
import type { WebhookEnvelope, WebhookEventType } from '../contracts/webhooks.js';
import { bindTenantStatements } from './db.js';
import { envelopeOf, newEvent, type RecordEventInput } from './outbox.js';

/** Who acted: the principal's tenant, user and the request that carried it. */
export type AuditActor = { tenantId: string; userId: string; requestId?: string | null };

export type AuditEntry = {
  action: string;
  /** The object acted on (a document, an analysis, a subscription), or null. */
  target: string | null;
  details?: Record<string, unknown>;
};

/**
 * Writes one row to `<schema>.audit_log` (every service's 0001 migration) inside the caller's
 * transaction, so it commits or rolls back with the change it records. The transaction must be bound
 * to the actor's tenant (or the service's system scope) for row level security. One single-row insert
 * on an append-only table with one index: one round trip.
 */
export async function insertAuditRow<DB>(
  trx: Transaction<DB>,
  schema: string,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  await sql`insert into ${sql.table(`${schema}.audit_log`)}
      (tenant_id, actor, action, target, request_id, details)
    values (${actor.tenantId}, ${actor.userId}, ${entry.action}, ${entry.target},
      ${actor.requestId ?? null}, ${JSON.stringify(entry.details ?? {})}::jsonb)`.execute(trx);
}

/** The event a standalone audit record carries to the outbox (see `recordEvent`). */
export type AuditedEvent<T extends WebhookEventType> = Omit<RecordEventInput<T>, 'schema' | 'tenantId'>;

/**
 * `<schema>.record_audit(...)`: binds the transaction to the actor's tenant, writes the audit row
 * (the row `insertAuditRow` writes) and, when an event is given, its outbox event (the rows
 * `recordEvent` writes), in that order. Called as one statement outside any transaction, the three
 * are one round trip and one implicit transaction. It runs as the caller (row level security
 * applies) and refuses a transaction already bound to another tenant. Needs the schema's
 * `audit_log` and outbox tables.
 */
export function auditFunctionMigration(schema: string): Migration {
  const fn = sql.id(schema, 'record_audit');
  return {
    async up(db: Kysely<unknown>) {
      await sql`create function ${fn}(
          p_tenant_id text, p_actor text, p_action text, p_target text, p_request_id text,
          p_details jsonb, p_event_id text, p_event_type text, p_resource_id text, p_event_data jsonb)
        returns table (sequence bigint, created_at timestamptz)
        language plpgsql security invoker
        as $fn$
        begin
          ${bindTenantStatements('p_tenant_id')}
          insert into ${sql.table(`${schema}.audit_log`)}
              (tenant_id, actor, action, target, request_id, details)
            values (p_tenant_id, p_actor, p_action, p_target, p_request_id, p_details);
          if p_event_id is null then
            return;
          end if;
          return query
            with seq as (
              insert into ${sql.table(`${schema}.outbox_sequences`)} as s (tenant_id, resource_id, last_sequence)
              values (p_tenant_id, p_resource_id, 1)
              on conflict (tenant_id, resource_id) do update set last_sequence = s.last_sequence + 1
              returning s.last_sequence, pg_catalog.clock_timestamp() as created
            )
            insert into ${sql.table(`${schema}.outbox`)} as o
              (id, tenant_id, type, resource_id, sequence, data, created_at)
            select p_event_id, p_tenant_id, p_event_type, p_resource_id, seq.last_sequence,
              p_event_data, seq.created
            from seq
            returning o.sequence, o.created_at;
        end
        $fn$`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop function ${fn}`.execute(db);
    },
  };
}

/**
 * Records an audit row, and optionally one outbox event, as the actor's tenant in one round trip,
 * through `<schema>.record_audit` (`auditFunctionMigration`). For requests whose only write is their
 * own record (an analysis, a search): they need no transaction of their own, so pass the pool, not a
 * transaction. A change and its audit row still belong in one `withTenant` transaction with
 * `insertAuditRow`.
 */
export async function recordStandaloneAudit<DB, T extends WebhookEventType>(
  db: Kysely<DB>,
  schema: string,
  actor: AuditActor,
  entry: AuditEntry,
  event?: AuditedEvent<T>,
): Promise<WebhookEnvelope | undefined> {
  const prepared = event ? newEvent(event) : undefined;
  const { rows } = await sql<{ sequence: string; created_at: Date }>`
    select * from ${sql.id(schema, 'record_audit')}(
      ${actor.tenantId}, ${actor.userId}, ${entry.action}, ${entry.target}, ${actor.requestId ?? null},
      ${JSON.stringify(entry.details ?? {})}::jsonb, ${prepared?.id ?? null}, ${event?.type ?? null},
      ${event?.resourceId ?? null}, ${prepared ? JSON.stringify(prepared.data) : null}::jsonb)`.execute(db);
  if (!event || !prepared) return undefined;
  return envelopeOf({ ...event, tenantId: actor.tenantId }, prepared, rows[0]!);
}
