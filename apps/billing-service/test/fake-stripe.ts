import { randomBytes } from 'node:crypto';
import { type RecordedRequest, startFakeServer } from '@mna/testing';
import Stripe from 'stripe';

type Obj = Record<string, unknown> & { id: string };
type Answer = { status?: number; body?: unknown };
const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
const list = (data: unknown[], url: string) => ({ object: 'list', data, has_more: false, url });
const missing = (what: string): Answer => ({
  status: 404,
  body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` } },
});

/** Decodes Stripe's bracketed form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function decodeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const pair of text.split('&').filter(Boolean)) {
    const [rawKey, rawValue = ''] = pair.split('=');
    const key = decodeURIComponent(rawKey!.replace(/\+/g, ' '));
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    const parts = key.split(/\[|\]\[|\]/).filter((p, i) => p !== '' || i === 0);
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(parts[i + 1]!);
      const slot = part === '' ? (node as unknown[]).length : part;
      const container = node as Record<string, unknown>;
      if (last) container[slot as string] = value;
      else {
        container[slot as string] ??= nextIsIndex ? [] : {};
        node = container[slot as string] as Record<string, unknown>;
      }
    });
  }
  return root;
}

/**
 * A stateful fake of the Stripe API for the real SDK: customers, products, prices (lookup keys,
 * transfer, archive), subscriptions, invoices, Checkout and portal sessions, proration previews.
 * Tests change "Stripe's" state directly, then send signed events that point at it.
 */
export async function startFakeStripe(webhookSecret = 'whsec_test_fake') {
  const state = {
    customers: new Map<string, Obj>(),
    products: new Map<string, Obj>(),
    prices: new Map<string, Obj>(),
    subscriptions: new Map<string, Obj>(),
    invoices: new Map<string, Obj>(),
    sessions: new Map<string, Obj>(),
  };
  const idempotent = new Map<string, Answer>();
  const faults: Array<{ match: (r: RecordedRequest) => boolean; remaining: number }> = [];

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

  const routes: Array<
    [string, RegExp, (m: RegExpMatchArray, p: Record<string, unknown>, r: RecordedRequest) => Answer]
  > = [
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
    [
      'GET',
      /^\/v1\/customers\/([^/?]+)/,
      (m) => {
        const c = state.customers.get(m[1]!);
        return c ? { body: c } : missing('customer');
      },
    ],
    [
      'GET',
      /^\/v1\/products\/([^/?]+)/,
      (m) => {
        const x = state.products.get(m[1]!);
        return x ? { body: x } : missing('product');
      },
    ],
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
    [
      'GET',
      /^\/v1\/subscriptions\/([^/?]+)/,
      (m) => {
        const s = state.subscriptions.get(m[1]!);
        return s ? { body: s } : missing('subscription');
      },
    ],
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
    [
      'GET',
      /^\/v1\/invoices\/([^/?]+)/,
      (m) => {
        const x = state.invoices.get(m[1]!);
        return x ? { body: x } : missing('invoice');
      },
    ],
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

  const server = await startFakeServer(async (request) => {
    const fault = faults.find((f) => f.remaining !== 0 && f.match(request));
    if (fault) {
      fault.remaining -= 1;
      return { status: 500, body: { error: { type: 'api_error', message: 'fake failure' } } };
    }
    const [path, query = ''] = request.path.split('?');
    const params = decodeForm(request.method === 'GET' ? query : request.body);
    const key = request.headers['idempotency-key'];
    const idemKey = typeof key === 'string' ? `${request.method} ${path} ${key}` : null;
    if (idemKey && idempotent.has(idemKey)) return idempotent.get(idemKey)!;
    for (const [method, pattern, handle] of routes) {
      const m = request.path.match(pattern);
      if (method !== request.method || !m) continue;
      try {
        const answer = handle(m, params, request);
        if (idemKey) idempotent.set(idemKey, answer);
        return answer;
      } catch (error) {
        const status = (error as { status?: number }).status ?? 500;
        return { status, body: { error: { type: 'invalid_request_error', message: String(error) } } };
      }
    }
    return missing(`route ${request.method} ${path}`);
  });

  const signer = new Stripe('sk_test_signer');

  return {
    state,
    requests: server.requests,
    webhookSecret,
    /** Environment for the billing config: the real SDK aimed at this fake. */
    env: {
      STRIPE_SECRET_KEY: 'sk_test_fake',
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: String(server.port),
      STRIPE_API_PROTOCOL: 'http',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    },
    /** Answer 500 to the next `times` requests matching (negative: always). */
    fail(match: (r: RecordedRequest) => boolean, times: number) {
      const fault = { match, remaining: times };
      faults.push(fault);
      return () => {
        fault.remaining = 0;
      };
    },
    customer(tenantId: string, email = `${tenantId}@example.test`): Obj {
      const c: Obj = {
        id: newId('cus'),
        object: 'customer',
        email,
        metadata: { tenant_id: tenantId },
        created: now(),
      };
      state.customers.set(c.id, c);
      return c;
    },
    price: (lookupKey: string) => priceByKey(lookupKey),
    subscribe(customerId: string, lookupKey: string, status = 'active'): Obj {
      const price = priceByKey(lookupKey);
      if (!price) throw new Error(`no price ${lookupKey}; sync the catalog first`);
      const t = now();
      const period =
        (price.recurring as { interval: string }).interval === 'year' ? 365 * 86_400 : 30 * 86_400;
      const sub: Obj = {
        id: newId('sub'),
        object: 'subscription',
        customer: customerId,
        status,
        created: t,
        start_date: t,
        ended_at: null,
        canceled_at: null,
        cancel_at_period_end: false,
        latest_invoice: null,
        metadata: {},
        items: list(
          [
            {
              id: newId('si'),
              object: 'subscription_item',
              price,
              quantity: 1,
              current_period_start: t,
              current_period_end: t + period,
            },
          ],
          '/v1/subscription_items',
        ),
      };
      state.subscriptions.set(sub.id, sub);
      createInvoice(sub, {
        status: status === 'active' ? 'paid' : 'open',
        amount: price.unit_amount as number,
      });
      return sub;
    },
    /** Moves a subscription to another price (as the portal or an admin would). */
    setPrice(subId: string, lookupKey: string) {
      const sub = state.subscriptions.get(subId)!;
      subItem(sub).price = priceByKey(lookupKey)!;
      return sub;
    },
    setStatus(subId: string, status: string) {
      const sub = state.subscriptions.get(subId)!;
      sub.status = status;
      if (status === 'canceled') {
        sub.ended_at = now();
        sub.canceled_at = now();
      }
      return sub;
    },
    invoice: (sub: Obj, status: string, amount: number) => createInvoice(sub, { status, amount }),
    payInvoice(invoiceId: string) {
      const inv = state.invoices.get(invoiceId)!;
      Object.assign(inv, { status: 'paid', amount_paid: inv.amount_due });
      return inv;
    },
    /** A signed delivery of an event about `object`, as Stripe would post it. */
    delivery(type: string, object: Obj, options: { id?: string; timestamp?: number; secret?: string } = {}) {
      const event = {
        id: options.id ?? newId('evt'),
        object: 'event',
        type,
        created: now(),
        livemode: false,
        api_version: Stripe.API_VERSION,
        data: { object: structuredClone(object) },
      };
      const payload = JSON.stringify(event);
      const header = signer.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? webhookSecret,
        ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      });
      return { event, payload, headers: { 'content-type': 'application/json', 'stripe-signature': header } };
    },
    close: () => server.close(),
  };
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;
