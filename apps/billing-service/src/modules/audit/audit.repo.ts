import type { Principal } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';
import { asTenant } from '../../db/scope.js';

export type AuditEntry = { action: string; target: string | null; details?: Record<string, unknown> };

/** Writes one audit row for a tenant's action (DESIGN.md: every create, update and delete). */
export const auditAction = (db: Kysely<BillingDatabase>, principal: Principal, entry: AuditEntry) =>
  asTenant(db, principal.tenantId, (trx) =>
    trx
      .insertInto('billing.audit_log')
      .values({
        tenant_id: principal.tenantId,
        actor: principal.userId,
        action: entry.action,
        target: entry.target,
        request_id: principal.requestId,
        details: entry.details ?? {},
      })
      .execute(),
  );
