import type { Principal } from '@mna/shared';
import { type AuditEntry, insertAuditRow } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';
import { asTenant, type Trx } from '../../db/scope.js';

/** Writes one audit row inside the caller's transaction, so it commits with the change it records. */
export const insertAudit = (trx: Trx, principal: Principal, entry: AuditEntry) =>
  insertAuditRow(trx, 'billing', principal, entry);

/** Writes one audit row for a tenant's action (DESIGN.md: every create, update and delete). */
export const auditAction = (db: Kysely<BillingDatabase>, principal: Principal, entry: AuditEntry) =>
  asTenant(db, principal.tenantId, (trx) => insertAudit(trx, principal, entry));
