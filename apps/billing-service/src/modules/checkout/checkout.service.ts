import type { CheckoutRequestSchema, PlanChangePreviewSchema, PlanChangeSchema } from '@mna/shared';
import {
  ConflictError,
  type Currency,
  getPlan,
  type Interval,
  type PlanId,
  priceLookupKey,
  ServiceUnavailableError,
} from '@mna/shared';
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { z } from 'zod';
import type { BillingDatabase } from '../../db/schema.js';
import { asTenant, type Trx } from '../../db/scope.js';
import { requireStripe } from '../../stripe/stripe.client.js';
import { priceIdFor } from '../catalog/catalog.sync.js';
import { subscriptionsRepo as repo } from '../subscriptions/subscriptions.repo.js';
import type { SyncCustomer } from '../subscriptions/subscriptions.sync.js';
import { BILLABLE_STATUSES } from '../subscriptions/subscriptions.sync.js';

type CheckoutInput = z.output<typeof CheckoutRequestSchema>;
type ChangeInput = z.output<typeof PlanChangeSchema>;
type Preview = z.output<typeof PlanChangePreviewSchema>;

export type CheckoutServiceDeps = {
  stripe: Stripe | null;
  db: Kysely<BillingDatabase>;
  sync: SyncCustomer | null;
  /** Stripe trial on a tenant's first subscription (never after one existed); 0 for none. */
  trialDays: number;
};

const CHANGE_POINTER =
  'The tenant already has a subscription; change its plan with POST /v1/billing/subscription/change.';

/** Checkout, the customer portal and plan changes: everything that writes to Stripe for a tenant. */
export function createCheckoutService(deps: CheckoutServiceDeps) {
  const inTenant = <T>(tenantId: string, fn: (trx: Trx) => Promise<T>) => asTenant(deps.db, tenantId, fn);

  /** The tenant's Stripe customer, created once (Stripe's idempotency key covers concurrent calls). */
  async function ensureCustomer(stripe: Stripe, tenantId: string): Promise<string> {
    const known = await inTenant(tenantId, (trx) => repo.findCustomer(trx, tenantId));
    if (known) return known.stripe_customer_id;
    const customer = await stripe.customers.create(
      { metadata: { tenant_id: tenantId }, description: `Tenant ${tenantId}` },
      { idempotencyKey: `customer-${tenantId}` },
    );
    return inTenant(tenantId, (trx) => repo.saveCustomer(trx, tenantId, customer.id));
  }

  async function priceId(stripe: Stripe, plan: PlanId, interval: Interval, currency: Currency) {
    const id = await priceIdFor(stripe, priceLookupKey(plan, interval, currency));
    if (!id) {
      throw new ServiceUnavailableError(
        `No Stripe price for ${priceLookupKey(plan, interval, currency)}; run pnpm billing:sync-catalog.`,
      );
    }
    return id;
  }

  async function billableSubscription(tenantId: string) {
    const row = await inTenant(tenantId, (trx) => repo.find(trx, tenantId));
    return row && BILLABLE_STATUSES.has(row.status) ? row : null;
  }

  async function subscriptionItem(stripe: Stripe, tenantId: string) {
    const row = await billableSubscription(tenantId);
    if (!row)
      throw new ConflictError(
        'The tenant has no active subscription; start one with POST /v1/billing/checkout.',
      );
    const sub = await stripe.subscriptions.retrieve(row.stripe_subscription_id);
    const item = sub.items.data[0];
    if (!item) throw new ConflictError('The subscription has no item to change.');
    return { row, sub, item, currency: row.currency as Currency };
  }

  return {
    async checkout(tenantId: string, input: CheckoutInput): Promise<{ url: string }> {
      const stripe = requireStripe(deps.stripe);
      const existing = await inTenant(tenantId, (trx) => repo.find(trx, tenantId));
      if (existing && BILLABLE_STATUSES.has(existing.status)) throw new ConflictError(CHANGE_POINTER);
      // One trial per tenant: any earlier subscription row (canceled, expired) means it was used.
      const trial = !existing && deps.trialDays > 0 ? { trial_period_days: deps.trialDays } : {};
      const price = await priceId(stripe, input.plan, input.interval, input.currency);
      const customer = await ensureCustomer(stripe, tenantId);
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer,
        client_reference_id: tenantId,
        line_items: [{ price, quantity: 1 }],
        automatic_tax: { enabled: true },
        customer_update: { address: 'auto', name: 'auto' },
        billing_address_collection: 'required',
        subscription_data: { metadata: { tenant_id: tenantId }, ...trial },
        metadata: { tenant_id: tenantId },
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      });
      if (!session.url)
        throw new ServiceUnavailableError('Stripe returned a Checkout session without a URL.');
      return { url: session.url };
    },

    async portal(tenantId: string, returnUrl: string): Promise<{ url: string }> {
      const stripe = requireStripe(deps.stripe);
      const customer = await inTenant(tenantId, (trx) => repo.findCustomer(trx, tenantId));
      if (!customer)
        throw new ConflictError(
          'The tenant has no billing account yet; start with POST /v1/billing/checkout.',
        );
      const session = await stripe.billingPortal.sessions.create({
        customer: customer.stripe_customer_id,
        return_url: returnUrl,
      });
      return { url: session.url };
    },

    async previewChange(tenantId: string, input: ChangeInput): Promise<Preview> {
      const stripe = requireStripe(deps.stripe);
      const { row, item, currency } = await subscriptionItem(stripe, tenantId);
      const price = await priceId(stripe, input.plan, input.interval, currency);
      const preview = await stripe.invoices.createPreview({
        customer: row.stripe_customer_id,
        subscription: row.stripe_subscription_id,
        subscription_details: {
          items: [{ id: item.id, price }],
          proration_behavior: 'always_invoice',
        },
      });
      const prorationAmount = preview.lines.data
        .filter(
          (l) => l.parent?.subscription_item_details?.proration || l.parent?.invoice_item_details?.proration,
        )
        .reduce((sum, l) => sum + l.amount, 0);
      return {
        plan: input.plan,
        interval: input.interval,
        currency,
        prorationAmount,
        // Charged now is the proration; from the next period on, the new price (before tax).
        nextInvoiceAmount: getPlan(input.plan).prices.find(
          (p) => p.currency === currency && p.interval === input.interval,
        )!.unitAmount,
      };
    },

    /** Changes plan or interval with Stripe's proration, then stores Stripe's resulting state. */
    async change(tenantId: string, input: ChangeInput) {
      const stripe = requireStripe(deps.stripe);
      const { row, item, currency } = await subscriptionItem(stripe, tenantId);
      const price = await priceId(stripe, input.plan, input.interval, currency);
      await stripe.subscriptions.update(
        row.stripe_subscription_id,
        {
          items: [{ id: item.id, price }],
          proration_behavior: 'always_invoice',
          payment_behavior: 'pending_if_incomplete',
        },
        { idempotencyKey: `change-${row.stripe_subscription_id}-${price}-${item.price.id}` },
      );
      await deps.sync?.(row.stripe_customer_id);
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
