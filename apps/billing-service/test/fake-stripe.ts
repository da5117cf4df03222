import { type RecordedRequest, startFakeServer } from '@mna/testing';
import Stripe from 'stripe';
import { stripeRoutes } from './fake-stripe/routes.js';
import { createStripeState } from './fake-stripe/state.js';
import { type Answer, decodeForm, list, missing, newId, now, type Obj } from './fake-stripe/wire.js';

export { decodeForm };

/**
 * A stateful fake of the Stripe API for the real SDK (state in `fake-stripe/state.ts`, routes in
 * `fake-stripe/routes.ts`): idempotency keys, injected failures, and controls for tests to change
 * "Stripe's" state directly, then send signed events that point at it.
 */
export async function startFakeStripe(webhookSecret = 'whsec_test_fake') {
  const account = createStripeState();
  const { state, priceByKey, subItem, createInvoice } = account;
  const routes = stripeRoutes(account);
  const idempotent = new Map<string, Answer>();
  const faults: Array<{ match: (r: RecordedRequest) => boolean; remaining: number }> = [];

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
