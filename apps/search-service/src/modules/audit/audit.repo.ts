import type { Principal } from '@mna/shared';
import { insertAuditRow } from '@mna/shared/kit';
import type { Transaction } from 'kysely';
import type { SearchDatabase } from '../../db/schema.js';

export type AuditEntry = {
  action: string;
  /** Ids of the objects acted on; several for a bulk ingest or a search's results. */
  targetIds?: string[];
  details?: Record<string, unknown>;
};

/**
 * Writes one audit row inside the caller's transaction; several targets are named in the details
 * and summarised as `N objects` in the target column.
 */
export async function recordAudit(
  trx: Transaction<SearchDatabase>,
  principal: Principal,
  entry: AuditEntry,
): Promise<void> {
  const targets = entry.targetIds ?? [];
  await insertAuditRow(trx, 'search', principal, {
    action: entry.action,
    target: targets.length === 1 ? targets[0]! : targets.length > 1 ? `${targets.length} objects` : null,
    details: { ...(targets.length > 1 ? { targetIds: targets } : {}), ...entry.details },
  });
}
