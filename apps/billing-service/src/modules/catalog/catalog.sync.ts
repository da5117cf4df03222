import { PLANS, type Plan, type Price } from '@mna/shared';
import type Stripe from 'stripe';

/** Prices are tax-exclusive: Stripe Tax adds tax on top at checkout. */
export const TAX_BEHAVIOR = 'exclusive' as const;
export const productIdOf = (plan: Plan['id']) => `mna_${plan}`;

export type SyncOutcome = 'created' | 'updated' | 'unchanged';
export type SyncReport = {
  products: Record<string, SyncOutcome>;
  prices: Record<string, SyncOutcome>;
  archived: string[];
};

const isMissing = (error: unknown) => (error as { statusCode?: number }).statusCode === 404;

async function syncProduct(stripe: Stripe, plan: Plan): Promise<SyncOutcome> {
  const id = productIdOf(plan.id);
  let product: Stripe.Product | null = null;
  try {
    product = await stripe.products.retrieve(id);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  if (!product) {
    await stripe.products.create(
      { id, name: plan.name, description: plan.description, metadata: { plan: plan.id } },
      { idempotencyKey: `catalog-product-${id}` },
    );
    return 'created';
  }
  if (product.name === plan.name && product.description === plan.description && product.active) {
    return 'unchanged';
  }
  await stripe.products.update(id, { name: plan.name, description: plan.description, active: true });
  return 'updated';
}

const matches = (current: Stripe.Price, price: Price, productId: string) =>
  current.active &&
  current.unit_amount === price.unitAmount &&
  current.currency === price.currency &&
  current.recurring?.interval === price.interval &&
  current.tax_behavior === TAX_BEHAVIOR &&
  (typeof current.product === 'string' ? current.product : current.product.id) === productId;

/**
 * Creates or updates the catalog's products and prices in Stripe, addressed only by lookup key.
 * Running it twice changes nothing; a changed amount creates a new price, moves the lookup key to it
 * (`transfer_lookup_key`) and archives the old one (Stripe prices are immutable).
 */
export async function syncCatalog(stripe: Stripe, plans: readonly Plan[] = PLANS): Promise<SyncReport> {
  const report: SyncReport = { products: {}, prices: {}, archived: [] };
  for (const plan of plans) {
    const productId = productIdOf(plan.id);
    report.products[productId] = await syncProduct(stripe, plan);
    const existing = await stripe.prices.list({
      lookup_keys: plan.prices.map((p) => p.lookupKey),
      limit: 100,
    });
    for (const price of plan.prices) {
      const current = existing.data.find((p) => p.lookup_key === price.lookupKey);
      if (current && matches(current, price, productId)) {
        report.prices[price.lookupKey] = 'unchanged';
        continue;
      }
      await stripe.prices.create({
        product: productId,
        currency: price.currency,
        unit_amount: price.unitAmount,
        recurring: { interval: price.interval },
        tax_behavior: TAX_BEHAVIOR,
        lookup_key: price.lookupKey,
        transfer_lookup_key: true,
        metadata: { plan: plan.id, interval: price.interval },
      });
      if (current?.active) {
        await stripe.prices.update(current.id, { active: false });
        report.archived.push(current.id);
      }
      report.prices[price.lookupKey] = current ? 'updated' : 'created';
    }
  }
  return report;
}

/** The active Stripe price id behind a lookup key. */
export async function priceIdFor(stripe: Stripe, lookupKey: string): Promise<string | null> {
  const found = await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
  return found.data[0]?.id ?? null;
}
