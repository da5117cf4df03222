import { withTenant, withTransaction } from '@mna/shared/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { BillingDatabase } from './schema.js';

export type Trx = Transaction<BillingDatabase>;

/** The setting that lifts a transaction to the billing system's scope (every tenant's rows). */
export const BILLING_SYSTEM_SCOPE = { setting: 'app.billing_scope', value: 'system' } as const;

/**
 * Row level security on every billing table with a tenant_id: a transaction sees one tenant's rows
 * (`app.tenant_id`), or all of them when it runs as the billing system itself (`app.billing_scope`):
 * the webhook worker, dunning, reconciliation and platform analytics work across tenants.
 */
export const asSystem = <T>(db: Kysely<BillingDatabase>, fn: (trx: Trx) => Promise<T>): Promise<T> =>
  withTransaction(db, async (trx) => {
    await sql`select set_config(${BILLING_SYSTEM_SCOPE.setting}, ${BILLING_SYSTEM_SCOPE.value}, true)`.execute(
      trx,
    );
    return fn(trx);
  });

/** A transaction that sees only one tenant's rows. */
export const asTenant = <T>(db: Kysely<BillingDatabase>, tenantId: string, fn: (trx: Trx) => Promise<T>) =>
  withTenant(db, tenantId, fn);
