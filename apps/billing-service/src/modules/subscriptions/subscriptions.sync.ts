import { type Currency, type Interval, PLAN_IDS, type PlanId } from '@mna/shared';
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem, type Trx } from '../../db/scope.js';
import { idOf } from '../../stripe/stripe.client.js';
import { recordSubscriptionEvent } from '../partner-webhooks/events.js';
import { type MovementKind, subscriptionsRepo as repo, type SubscriptionRow } from './subscriptions.repo.js';

/** Statuses that count towards MRR and keep paid access (past_due only within its grace period). */
export const BILLABLE_STATUSES = new Set(['active', 'trialing', 'past_due']);
// When a customer has several subscriptions, the one that decides access is the most alive.
const PREFERENCE = ['active', 'trialing', 'past_due', 'unpaid', 'paused', 'incomplete'];
const rankOf = (s: Stripe.Subscription) => {
  const i = PREFERENCE.indexOf(s.status);
  return i === -1 ? PREFERENCE.length : i;
};

const LOOKUP = /^mna_([a-z]+)_(month|year)_([a-z]{3})$/;
type PriceFacts = {
  plan: PlanId | null;
  interval: Interval | null;
  currency: Currency | null;
  amount: number;
};

/** Reads plan, interval and currency from the price's lookup key (the catalog's address). */
export function priceFacts(price: Stripe.Price | undefined): PriceFacts {
  const m = price?.lookup_key ? LOOKUP.exec(price.lookup_key) : null;
  const plan = m && (PLAN_IDS as readonly string[]).includes(m[1]!) ? (m[1] as PlanId) : null;
  return {
    plan: plan ?? ((price?.metadata?.plan as PlanId | undefined) || null),
    interval: (price?.recurring?.interval as Interval | undefined) ?? null,
    currency: (price?.currency as Currency | undefined) ?? null,
    amount: price?.unit_amount ?? 0,
  };
}

/** Monthly-normalised recurring revenue of a row, in minor units (0 unless billable). */
export const monthlyValue = (
  row: Pick<SubscriptionRow, 'status' | 'interval' | 'unit_amount'> | undefined,
) =>
  !row || !BILLABLE_STATUSES.has(row.status)
    ? 0
    : row.interval === 'year'
      ? Math.round(row.unit_amount / 12)
      : row.unit_amount;

/** MRR movements between two states of one tenant's subscription. */
export function movementsBetween(
  before: SubscriptionRow | undefined,
  after: Pick<SubscriptionRow, 'status' | 'interval' | 'unit_amount' | 'currency'>,
): Array<{ currency: string; kind: MovementKind; amount: number }> {
  const was = monthlyValue(before);
  const now = monthlyValue(after);
  const out: Array<{ currency: string; kind: MovementKind; amount: number }> = [];
  if (was > 0 && now > 0 && before?.currency !== after.currency) {
    out.push({ currency: before!.currency!, kind: 'churned', amount: was });
    out.push({ currency: after.currency!, kind: 'new', amount: now });
  } else if (was === 0 && now > 0) out.push({ currency: after.currency!, kind: 'new', amount: now });
  else if (was > 0 && now === 0) out.push({ currency: before!.currency!, kind: 'churned', amount: was });
  else if (now > was) out.push({ currency: after.currency!, kind: 'expansion', amount: now - was });
  else if (now < was) out.push({ currency: after.currency!, kind: 'contraction', amount: was - now });
  return out;
}

export type SyncResult = {
  tenantId: string;
  before: SubscriptionRow | undefined;
  after: SubscriptionRow;
  invoice: Stripe.Invoice | null;
} | null;

/**
 * Re-reads a customer's subscriptions and latest invoice from Stripe and stores that state. Event
 * order is never trusted: whatever order events arrive in, the last sync writes Stripe's current
 * state. A per-customer advisory lock makes concurrent syncs of one customer run one at a time.
 */
export function createSubscriptionSync(deps: { db: Kysely<BillingDatabase>; stripe: Stripe }) {
  const { stripe } = deps;

  async function tenantFor(trx: Trx, customerId: string, sub: Stripe.Subscription): Promise<string | null> {
    const known = await repo.tenantOfCustomer(trx, customerId);
    if (known) return known;
    if (sub.metadata?.tenant_id) return sub.metadata.tenant_id;
    const customer = await stripe.customers.retrieve(customerId);
    return ('metadata' in customer && customer.metadata?.tenant_id) || null;
  }

  /** Syncs inside a caller's transaction, which must already hold the customer's lock. */
  async function syncIn(trx: Trx, customerId: string, eventId: string | null): Promise<SyncResult> {
    const list = await stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 20 });
    const sub = [...list.data].sort((a, b) => rankOf(a) - rankOf(b) || b.created - a.created)[0];
    if (!sub) return null;
    const tenantId = await tenantFor(trx, customerId, sub);
    if (!tenantId) return null;
    await repo.saveCustomer(trx, tenantId, customerId);
    const invoiceId = idOf(sub.latest_invoice);
    const invoice = invoiceId ? await stripe.invoices.retrieve(invoiceId) : null;
    const item = sub.items.data[0];
    const facts = priceFacts(item?.price);
    const before = await repo.find(trx, tenantId);
    const row = {
      tenant_id: tenantId,
      stripe_customer_id: customerId,
      stripe_subscription_id: sub.id,
      plan: facts.plan,
      interval: facts.interval,
      currency: facts.currency,
      unit_amount: facts.amount,
      status: sub.status,
      current_period_end: item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
      cancel_at_period_end: sub.cancel_at_period_end,
      // The grace period belongs to dunning; a subscription that is no longer past due has none.
      grace_until: sub.status === 'past_due' ? (before?.grace_until ?? null) : null,
      latest_invoice_id: invoiceId,
      latest_invoice_status: invoice?.status ?? null,
    };
    const canceledAt = sub.ended_at ? new Date(sub.ended_at * 1000) : null;
    await repo.upsert(trx, row, canceledAt, new Date((sub.start_date || sub.created) * 1000));
    for (const m of movementsBetween(before, row)) {
      await repo.addMovement(trx, { tenantId, ...m, eventId });
    }
    const after = (await repo.find(trx, tenantId))!;
    await recordSubscriptionEvent(trx, before, after);
    return { tenantId, before, after, invoice };
  }

  /**
   * Whether the stored state was read from Stripe after `since` (both on the database clock): then a
   * later read already covers an event received at `since`, and re-reading again adds nothing.
   */
  async function readSince(trx: Trx, customerId: string, since: Date): Promise<boolean> {
    const tenantId = await repo.tenantOfCustomer(trx, customerId);
    const row = tenantId ? await repo.find(trx, tenantId) : undefined;
    return !!row && row.stripe_customer_id === customerId && row.synced_at.getTime() > since.getTime();
  }

  return {
    syncIn,
    readSince,
    /** Runs `fn` in a transaction holding the customer's lock: one customer, one writer at a time. */
    withCustomerLock: <T>(customerId: string, fn: (trx: Trx) => Promise<T>) =>
      asSystem(deps.db, async (trx) => {
        await repo.lockCustomer(trx, customerId);
        return fn(trx);
      }),
  };
}

export type SubscriptionSync = ReturnType<typeof createSubscriptionSync>;
/** Re-reads one customer from Stripe under its lock and stores the state. */
export const syncCustomerWith =
  (sync: SubscriptionSync) =>
  (customerId: string, eventId: string | null = null) =>
    sync.withCustomerLock(customerId, (trx) => sync.syncIn(trx, customerId, eventId));

export type SyncCustomer = ReturnType<typeof syncCustomerWith>;
