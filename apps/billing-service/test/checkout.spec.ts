import { getPlan, priceLookupKey } from '@mna/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForm } from './fake-stripe.js';
import { type Harness, startHarness, waitFor } from './harness.js';

const URLS = {
  successUrl: 'https://app.mna.test/billing/ok',
  cancelUrl: 'https://app.mna.test/billing/cancel',
};

describe('checkout, portal and plan changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true });
  });
  afterAll(() => h.close());

  const post = async (tenantId: string, url: string, payload: unknown) =>
    h.app.inject({ method: 'POST', url, payload: payload as object, headers: await h.headers({ tenantId }) });
  const customersOf = (tenantId: string) =>
    [...h.fake!.state.customers.values()].filter(
      (c) => (c.metadata as Record<string, string>).tenant_id === tenantId,
    );
  const entitlementsOf = async (tenantId: string) =>
    h.app.inject({
      method: 'GET',
      url: `/internal/entitlements/${tenantId}`,
      headers: await h.headers({ tenantId }),
    });
  const statusOf = async (tenantId: string) =>
    (
      await h.owner
        .selectFrom('billing.subscriptions')
        .select('status')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst()
    )?.status;
  const sessionRequests = () =>
    h
      .fake!.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions')
      .map((r) => decodeForm(r.body));

  it('creates the tenant’s customer first, then a subscription Checkout session with automatic tax', async () => {
    const res = await post('org_co', '/v1/billing/checkout', {
      plan: 'growth',
      interval: 'year',
      currency: 'gbp',
      ...URLS,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const [customer] = customersOf('org_co');
    expect(customer).toBeDefined();
    const session = sessionRequests().at(-1)!;
    expect(session).toMatchObject({
      mode: 'subscription',
      customer: customer!.id,
      automatic_tax: { enabled: 'true' },
      line_items: [{ price: h.fake!.price(priceLookupKey('growth', 'year', 'gbp'))!.id, quantity: '1' }],
      success_url: URLS.successUrl,
      cancel_url: URLS.cancelUrl,
      client_reference_id: 'org_co',
      // The tenant's first subscription starts with the configured trial (BILLING_TRIAL_DAYS, 14).
      subscription_data: { trial_period_days: '14', metadata: { tenant_id: 'org_co' } },
    });
    const customerCall = h.fake!.requests.findIndex((r) => r.method === 'POST' && r.path === '/v1/customers');
    const sessionCall = h.fake!.requests.findIndex((r) => r.path === '/v1/checkout/sessions');
    expect(customerCall).toBeLessThan(sessionCall);
  });

  it('reuses the customer: repeated and concurrent checkouts create one customer per tenant', async () => {
    await post('org_co', '/v1/billing/checkout', {
      plan: 'solo',
      interval: 'month',
      currency: 'usd',
      ...URLS,
    });
    expect(customersOf('org_co')).toHaveLength(1);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        post('org_co_race', '/v1/billing/checkout', {
          plan: 'solo',
          interval: 'month',
          currency: 'eur',
          ...URLS,
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(200));
    expect(customersOf('org_co_race')).toHaveLength(1);
    const stored = await h.owner
      .selectFrom('billing.customers')
      .selectAll()
      .where('tenant_id', '=', 'org_co_race')
      .execute();
    expect(stored.map((c) => c.stripe_customer_id)).toEqual([customersOf('org_co_race')[0]!.id]);
  });

  it('after checkout completes, a second checkout is refused with a pointer to plan change', async () => {
    const [customer] = customersOf('org_co');
    const sub = h.fake!.subscribe(customer!.id, priceLookupKey('growth', 'year', 'gbp'));
    const done = h.fake!.delivery('checkout.session.completed', {
      id: 'cs_done',
      object: 'checkout.session',
      customer: customer!.id,
      subscription: sub.id,
    });
    await h.deliver(done);
    await waitFor(async () => (await statusOf('org_co')) === 'active');
    const again = await post('org_co', '/v1/billing/checkout', {
      plan: 'enterprise',
      interval: 'year',
      currency: 'gbp',
      ...URLS,
    });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json().detail).toContain('/v1/billing/subscription/change');
    const granted = await entitlementsOf('org_co');
    expect(granted.json()).toMatchObject({ plan: 'growth', paid: true });
    expect(Date.parse(granted.json().periodEnd)).toBeGreaterThan(Date.now());
  });

  it('grants no paid entitlements without a subscription, and no second trial after one ended', async () => {
    const none = await entitlementsOf('org_co_lapsed');
    expect(none.json()).toMatchObject({ status: 'none', paid: false, periodEnd: null });
    const soloMonthly = { plan: 'solo', interval: 'month', currency: 'usd', ...URLS };
    await post('org_co_lapsed', '/v1/billing/checkout', soloMonthly);
    const [customer] = customersOf('org_co_lapsed');
    const sub = h.fake!.subscribe(customer!.id, priceLookupKey('solo', 'month', 'usd'), 'canceled');
    await h.deliver(h.fake!.delivery('customer.subscription.deleted', sub));
    await waitFor(async () => (await statusOf('org_co_lapsed')) === 'canceled');
    const again = await post('org_co_lapsed', '/v1/billing/checkout', soloMonthly);
    expect(again.statusCode).toBe(200);
    const session = sessionRequests().at(-1)!;
    expect(session.client_reference_id).toBe('org_co_lapsed');
    expect(session.subscription_data).toEqual({ metadata: { tenant_id: 'org_co_lapsed' } });
  });

  it('previews the prorated amount, then changes the plan with proration', async () => {
    const headers = await h.headers({ tenantId: 'org_co' });
    const preview = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/subscription/change-preview?plan=enterprise&interval=year',
      headers,
    });
    expect(preview.statusCode).toBe(200);
    const prices = (id: 'growth' | 'enterprise') =>
      getPlan(id).prices.find((p) => p.currency === 'gbp' && p.interval === 'year')!.unitAmount;
    const diff = prices('enterprise') - prices('growth');
    expect(preview.json()).toMatchObject({ plan: 'enterprise', interval: 'year', currency: 'gbp' });
    expect(preview.json().prorationAmount).toBeGreaterThan(diff * 0.99);
    expect(preview.json().prorationAmount).toBeLessThanOrEqual(diff);
    expect(preview.json().nextInvoiceAmount).toBe(prices('enterprise'));

    const change = await h.app.inject({
      method: 'POST',
      url: '/v1/billing/subscription/change',
      headers,
      payload: { plan: 'enterprise', interval: 'year' },
    });
    expect(change.statusCode).toBe(200);
    expect(change.json()).toMatchObject({
      plan: 'enterprise',
      interval: 'year',
      currency: 'gbp',
      status: 'active',
      entitlements: { analytics: true },
    });
    const update = h
      .fake!.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/subscriptions/'))
      .map((r) => decodeForm(r.body))
      .at(-1)!;
    expect(update).toMatchObject({
      proration_behavior: 'always_invoice',
      items: [{ price: h.fake!.price(priceLookupKey('enterprise', 'year', 'gbp'))!.id }],
    });
    const audit = await h.owner
      .selectFrom('billing.audit_log')
      .select(['action', 'target', 'actor'])
      .where('tenant_id', '=', 'org_co')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'billing.checkout',
      'billing.checkout',
      'billing.subscription.change',
    ]);
    expect(audit.at(-1)).toMatchObject({ target: 'enterprise', actor: 'user_test_1' });
    const moves = await h.owner
      .selectFrom('billing.mrr_movements')
      .select(['kind', 'amount'])
      .where('tenant_id', '=', 'org_co')
      .orderBy('id')
      .execute();
    expect(moves).toEqual([
      { kind: 'new', amount: Math.round(prices('growth') / 12) },
      {
        kind: 'expansion',
        amount: Math.round(prices('enterprise') / 12) - Math.round(prices('growth') / 12),
      },
    ]);
  });

  it('opens the customer portal; a tenant without a billing account gets a 409', async () => {
    const res = await post('org_co', '/v1/billing/portal', { returnUrl: 'https://app.mna.test/settings' });
    expect(res.statusCode).toBe(200);
    expect(res.json().url).toMatch(/^https:\/\/billing\.stripe\.test\//);
    expect(
      (await post('org_nobody', '/v1/billing/portal', { returnUrl: 'https://app.mna.test/settings' }))
        .statusCode,
    ).toBe(409);
    const change = await post('org_nobody', '/v1/billing/subscription/change', {
      plan: 'growth',
      interval: 'month',
    });
    expect(change.statusCode).toBe(409);
  });

  it.each([
    ['unknown plan', { plan: 'platinum', interval: 'month', currency: 'usd', ...URLS }],
    ['unknown currency', { plan: 'solo', interval: 'month', currency: 'jpy', ...URLS }],
    ['unknown interval', { plan: 'solo', interval: 'week', currency: 'usd', ...URLS }],
    ['missing URLs', { plan: 'solo', interval: 'month', currency: 'usd' }],
    [
      'a URL that is not one',
      { plan: 'solo', interval: 'month', currency: 'usd', successUrl: 'nope', cancelUrl: URLS.cancelUrl },
    ],
    ['an unknown field', { plan: 'solo', interval: 'month', currency: 'usd', ...URLS, coupon: 'FREE' }],
  ])('refuses %s with a 400 problem', async (_name, body) => {
    const before = h.fake!.requests.length;
    const res = await post('org_bad', '/v1/billing/checkout', body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors.length).toBeGreaterThan(0);
    expect(h.fake!.requests.length).toBe(before);
  });

  it('refuses a change preview with an unknown plan, and analytics to a non-admin', async () => {
    const headers = await h.headers({ tenantId: 'org_co' });
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: '/v1/billing/subscription/change-preview?plan=x&interval=month',
          headers,
        })
      ).statusCode,
    ).toBe(400);
    const analytics = await h.app.inject({ method: 'GET', url: '/v1/billing/analytics', headers });
    expect(analytics.statusCode).toBe(403);
    expect(analytics.headers['content-type']).toContain('application/problem+json');
    expect((await h.app.inject({ method: 'GET', url: '/v1/billing/analytics' })).statusCode).toBe(401);
  });
});
