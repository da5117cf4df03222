import type { Currency, Interval, PlanId, Subscription } from '@mna/shared';
import { recordEvent } from '@mna/shared/kit';
import type Stripe from 'stripe';
import type { Trx } from '../../db/scope.js';
import { idOf } from '../../stripe/stripe.client.js';
import type { SubscriptionRow } from '../subscriptions/subscriptions.repo.js';

const SCHEMA = 'billing';
/** Fields whose change is a `subscription.updated` for partners (synced_at and the like are not). */
const VISIBLE = [
  'plan',
  'status',
  'interval',
  'currency',
  'current_period_end',
  'cancel_at_period_end',
] as const;

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/** created, canceled, updated or nothing: what a stored change of a tenant's subscription means. */
export function subscriptionChange(before: SubscriptionRow | undefined, after: SubscriptionRow) {
  if (!before || before.stripe_subscription_id !== after.stripe_subscription_id)
    return 'subscription.created';
  if (after.status === 'canceled' && before.status !== 'canceled') return 'subscription.canceled';
  if (VISIBLE.some((key) => !same(before[key], after[key]))) return 'subscription.updated';
  return null;
}

/**
 * Records the partner event of a subscription change in the transaction that stores it (the Stripe
 * event processor, checkout sync and reconcile all commit through the same sync).
 */
export async function recordSubscriptionEvent(
  trx: Trx,
  before: SubscriptionRow | undefined,
  after: SubscriptionRow,
): Promise<void> {
  const type = subscriptionChange(before, after);
  if (!type) return;
  await recordEvent(trx, {
    schema: SCHEMA,
    tenantId: after.tenant_id,
    type,
    resourceId: after.stripe_subscription_id,
    data: {
      subscriptionId: after.stripe_subscription_id,
      plan: after.plan as PlanId | null,
      status: after.status as Subscription['status'],
      interval: after.interval as Interval | null,
      currency: after.currency as Currency | null,
      currentPeriodEnd: after.current_period_end?.toISOString() ?? null,
      cancelAtPeriodEnd: after.cancel_at_period_end,
    },
  });
}

/** Records `invoice.paid` or `invoice.payment_failed` in the transaction that applies it. */
export async function recordInvoiceEvent(
  trx: Trx,
  tenantId: string,
  type: 'invoice.paid' | 'invoice.payment_failed',
  invoice: Stripe.Invoice,
): Promise<void> {
  const invoiceId = invoice.id ?? '';
  await recordEvent(trx, {
    schema: SCHEMA,
    tenantId,
    type,
    resourceId: invoiceId,
    data: {
      invoiceId,
      subscriptionId: idOf(invoice.parent?.subscription_details?.subscription),
      status: invoice.status ?? null,
      currency: invoice.currency,
      amountDue: invoice.amount_due,
      amountPaid: invoice.amount_paid,
    },
  });
}
