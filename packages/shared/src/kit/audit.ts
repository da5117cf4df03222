import { sql, type Transaction } from 'kysely';

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
