import { list, newId, now, type Obj } from './wire.js';

/**
 * The fake's Stripe account: customers, products, prices (lookup keys, transfer, archive),
 * subscriptions, invoices and Checkout sessions, with the operations the routes and tests share.
 */
export function createStripeState() {
  const state = {
    customers: new Map<string, Obj>(),
    products: new Map<string, Obj>(),
    prices: new Map<string, Obj>(),
    subscriptions: new Map<string, Obj>(),
    invoices: new Map<string, Obj>(),
    sessions: new Map<string, Obj>(),
  };

  const priceByKey = (key: string) =>
    [...state.prices.values()].find((p) => p.lookup_key === key && p.active);
  const subItem = (sub: Obj) => (sub.items as { data: Obj[] }).data[0]!;

  function createPrice(p: Record<string, unknown>): Obj {
    if (p.lookup_key) {
      const holder = [...state.prices.values()].find((x) => x.lookup_key === p.lookup_key);
      if (holder && p.transfer_lookup_key !== 'true') {
        throw Object.assign(new Error('lookup_key taken'), { status: 400 });
      }
      if (holder) holder.lookup_key = null;
    }
    const price: Obj = {
      id: newId('price'),
      object: 'price',
      active: true,
      currency: p.currency,
      unit_amount: Number(p.unit_amount),
      lookup_key: p.lookup_key ?? null,
      product: p.product,
      recurring: { interval: (p.recurring as { interval: string }).interval, interval_count: 1 },
      tax_behavior: p.tax_behavior ?? 'unspecified',
      type: 'recurring',
      metadata: p.metadata ?? {},
      created: now(),
    };
    state.prices.set(price.id, price);
    return price;
  }

  function createInvoice(sub: Obj, fields: { status: string; amount: number; paid?: boolean }): Obj {
    const customer = state.customers.get(sub.customer as string);
    const invoice: Obj = {
      id: newId('in'),
      object: 'invoice',
      customer: sub.customer,
      customer_email: customer?.email ?? null,
      currency: (subItem(sub).price as Obj).currency,
      status: fields.status,
      amount_due: fields.amount,
      amount_paid: fields.status === 'paid' ? fields.amount : 0,
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id } },
      lines: list([], '/v1/invoices/lines'),
      created: now(),
    };
    state.invoices.set(invoice.id, invoice);
    sub.latest_invoice = invoice.id;
    return invoice;
  }

  function proration(sub: Obj, newPrice: Obj) {
    const item = subItem(sub);
    const start = item.current_period_start as number;
    const end = item.current_period_end as number;
    const fraction = Math.max(0, Math.min(1, (end - now()) / Math.max(1, end - start)));
    const credit = -Math.round(((item.price as Obj).unit_amount as number) * fraction);
    const charge = Math.round((newPrice.unit_amount as number) * fraction);
    const line = (amount: number) => ({
      object: 'line_item',
      amount,
      parent: { type: 'subscription_item_details', subscription_item_details: { proration: true } },
    });
    return { lines: [line(credit), line(charge)], total: credit + charge };
  }

  return { state, priceByKey, subItem, createPrice, createInvoice, proration };
}

export type StripeState = ReturnType<typeof createStripeState>;
