import { type Selectable, sql } from 'kysely';
import type { SubscriptionTable } from '../../db/schema.js';
import type { Trx } from '../../db/scope.js';

export type SubscriptionRow = Selectable<SubscriptionTable>;
export type SubscriptionWrite = Omit<SubscriptionRow, 'started_at' | 'canceled_at' | 'synced_at'>;
export type MovementKind = 'new' | 'expansion' | 'contraction' | 'churned';

/**
 * Data access for customers, subscriptions and MRR movements. Every function takes the transaction
 * whose row-level-security scope (one tenant, or the billing system) the caller chose.
 */
export const subscriptionsRepo = {
  findCustomer: (trx: Trx, tenantId: string) =>
    trx.selectFrom('billing.customers').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
  tenantOfCustomer: async (trx: Trx, customerId: string) =>
    (
      await trx
        .selectFrom('billing.customers')
        .select('tenant_id')
        .where('stripe_customer_id', '=', customerId)
        .executeTakeFirst()
    )?.tenant_id ?? null,
  /** Records the tenant's customer; the first writer wins and every caller gets the stored one. */
  async saveCustomer(trx: Trx, tenantId: string, customerId: string): Promise<string> {
    await trx
      .insertInto('billing.customers')
      .values({ tenant_id: tenantId, stripe_customer_id: customerId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await trx
      .selectFrom('billing.customers')
      .select('stripe_customer_id')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return row.stripe_customer_id;
  },
  find: (trx: Trx, tenantId: string) =>
    trx
      .selectFrom('billing.subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst() as Promise<SubscriptionRow | undefined>,
  /** Serialises every write for one Stripe customer until the transaction ends. */
  lockCustomer: (trx: Trx, customerId: string) =>
    sql`select pg_advisory_xact_lock(hashtext(${`billing:${customerId}`}))`.execute(trx),
  async upsert(trx: Trx, row: SubscriptionWrite, canceledAt: Date | null, startedAt: Date) {
    // synced_at is the database's transaction start: never later than the Stripe read it records.
    const values = { ...row, started_at: startedAt, canceled_at: canceledAt, synced_at: sql<Date>`now()` };
    await trx
      .insertInto('billing.subscriptions')
      .values(values)
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
      .execute();
  },
  setGrace: (trx: Trx, tenantId: string, graceUntil: Date | null) =>
    trx
      .updateTable('billing.subscriptions')
      .set({ grace_until: graceUntil })
      .where('tenant_id', '=', tenantId)
      .execute(),
  addMovement: (
    trx: Trx,
    m: { tenantId: string; currency: string; kind: MovementKind; amount: number; eventId: string | null },
  ) =>
    trx
      .insertInto('billing.mrr_movements')
      .values({
        tenant_id: m.tenantId,
        currency: m.currency,
        kind: m.kind,
        amount: m.amount,
        stripe_event_id: m.eventId,
      })
      .execute(),
  allCustomerIds: async (trx: Trx) =>
    (await trx.selectFrom('billing.customers').select('stripe_customer_id').execute()).map(
      (r) => r.stripe_customer_id,
    ),
};

export type SubscriptionsRepo = typeof subscriptionsRepo;
