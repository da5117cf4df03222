import type { RecordedRequest } from '@mna/testing';
import type { StripeState } from './state.js';
import { type Answer, list, missing, newId, now, type Obj } from './wire.js';

export type Route = [
  string,
  RegExp,
  (m: RegExpMatchArray, p: Record<string, unknown>, r: RecordedRequest) => Answer,
];

/** `GET /v1/<collection>/:id`: the stored object, or Stripe's resource_missing. */
const retrieve = (collection: string, objects: Map<string, Obj>, name: string): Route => [
  'GET',
  new RegExp(`^/v1/${collection}/([^/?]+)`),
  (m) => {
    const found = objects.get(m[1]!);
    return found ? { body: found } : missing(name);
  },
];

/** The Stripe API routes the billing service calls, answered from the fake's state. */
export function stripeRoutes(account: StripeState): Route[] {
  const { state, subItem, createPrice, createInvoice, proration } = account;
  return [
    [
      'POST',
      /^\/v1\/customers$/,
      (_m, p) => {
        const c: Obj = {
          id: newId('cus'),
          object: 'customer',
          email: p.email ?? null,
          metadata: p.metadata ?? {},
          created: now(),
        };
        state.customers.set(c.id, c);
        return { body: c };
      },
    ],
    retrieve('customers', state.customers, 'customer'),
    retrieve('products', state.products, 'product'),
    [
      'POST',
      /^\/v1\/products$/,
      (_m, p) => {
        const x: Obj = {
          id: (p.id as string) ?? newId('prod'),
          object: 'product',
          active: true,
          name: p.name,
          description: p.description ?? null,
          metadata: p.metadata ?? {},
        };
        state.products.set(x.id, x);
        return { body: x };
      },
    ],
    [
      'POST',
      /^\/v1\/products\/([^/?]+)$/,
      (m, p) => {
        const x = state.products.get(m[1]!);
        if (!x) return missing('product');
        Object.assign(x, p, { active: p.active === undefined ? x.active : p.active === 'true' });
        return { body: x };
      },
    ],
    [
      'GET',
      /^\/v1\/prices(\?|$)/,
      (_m, p) => {
        const keys = Object.values((p.lookup_keys as Record<string, string>) ?? {});
        const data = [...state.prices.values()].filter(
          (x) =>
            keys.includes(x.lookup_key as string) &&
            (p.active === undefined || String(x.active) === p.active),
        );
        return { body: list(data, '/v1/prices') };
      },
    ],
    ['POST', /^\/v1\/prices$/, (_m, p) => ({ body: createPrice(p) })],
    [
      'POST',
      /^\/v1\/prices\/([^/?]+)$/,
      (m, p) => {
        const x = state.prices.get(m[1]!);
        if (!x) return missing('price');
        if (p.active !== undefined) x.active = p.active === 'true';
        return { body: x };
      },
    ],
    [
      'GET',
      /^\/v1\/subscriptions(\?|$)/,
      (_m, p) => ({
        body: list(
          [...state.subscriptions.values()].filter(
            (s) => p.customer === undefined || s.customer === p.customer,
          ),
          '/v1/subscriptions',
        ),
      }),
    ],
    retrieve('subscriptions', state.subscriptions, 'subscription'),
    [
      'POST',
      /^\/v1\/subscriptions\/([^/?]+)$/,
      (m, p) => {
        const sub = state.subscriptions.get(m[1]!);
        if (!sub) return missing('subscription');
        const wanted = (p.items as Array<{ price: string }> | undefined)?.[0]?.price;
        const price = wanted ? state.prices.get(wanted) : undefined;
        if (price) {
          const { total } = proration(sub, price);
          subItem(sub).price = price;
          createInvoice(sub, { status: 'paid', amount: Math.max(0, total) });
        }
        return { body: sub };
      },
    ],
    retrieve('invoices', state.invoices, 'invoice'),
    [
      'POST',
      /^\/v1\/invoices\/create_preview$/,
      (_m, p) => {
        const sub = state.subscriptions.get(p.subscription as string);
        const details = p.subscription_details as { items: Array<{ price: string }> };
        const price = state.prices.get(details.items[0]!.price);
        if (!sub || !price) return missing('subscription or price');
        const { lines, total } = proration(sub, price);
        return {
          body: {
            object: 'invoice',
            id: null,
            amount_due: Math.max(0, total),
            currency: price.currency,
            lines: list(lines, '/v1/invoices/lines'),
          },
        };
      },
    ],
    [
      'POST',
      /^\/v1\/checkout\/sessions$/,
      (_m, p) => {
        const s: Obj = {
          id: newId('cs'),
          object: 'checkout.session',
          ...p,
          url: `https://checkout.stripe.test/c/pay/${newId('cs')}`,
        };
        state.sessions.set(s.id, s);
        return { body: s };
      },
    ],
    [
      'POST',
      /^\/v1\/billing_portal\/sessions$/,
      (_m, p) => ({
        body: {
          id: newId('bps'),
          object: 'billing_portal.session',
          customer: p.customer,
          url: `https://billing.stripe.test/p/session/${newId('bps')}`,
        },
      }),
    ],
  ];
}
