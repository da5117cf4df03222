import type { Principal } from '@mna/shared';
import type { Transaction } from 'kysely';
import type { SearchDatabase } from '../../db/schema.js';

export type AuditEntry = {
  action: string;
  /** Ids of the objects acted on; several for a bulk ingest or a search's results. */
  targetIds?: string[];
  details?: Record<string, unknown>;
};

/**
 * Writes one audit row inside the caller's transaction: a single-row insert on an append-only table
 * with one index, so it costs one round trip, and it commits or rolls back with the change it records.
 */
export async function recordAudit(
  trx: Transaction<SearchDatabase>,
  principal: Principal,
  entry: AuditEntry,
): Promise<void> {
  const targets = entry.targetIds ?? [];
  await trx
    .insertInto('search.audit_log')
    .values({
      tenant_id: principal.tenantId,
      actor: principal.userId,
      action: entry.action,
      target: targets.length === 1 ? targets[0]! : targets.length > 1 ? `${targets.length} objects` : null,
      request_id: principal.requestId,
      details: { ...(targets.length > 1 ? { targetIds: targets } : {}), ...entry.details },
    })
    .execute();
}
