import type { PrincipalInput } from '@mna/shared';
import { type AuditEntry, insertAuditRow } from '@mna/shared/kit';
import type { Transaction } from 'kysely';
import type { AiDatabase } from '../../db/schema.js';

/**
 * Writes one audit row (tenant, actor, action, target, request id, time) inside the caller's
 * transaction, which must be bound to the principal's tenant (`withTenant`) for row level security.
 */
export const recordAudit = (trx: Transaction<AiDatabase>, principal: PrincipalInput, entry: AuditEntry) =>
  insertAuditRow(trx, 'ai', principal, entry);
