import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('without a Stripe key (the embedded default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      stripe: false,
      env: { STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined },
    });
  });
  afterAll(() => h.close());

  it('serves plans, the subscription and the gateway entitlements', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/v1/billing/plans' })).statusCode).toBe(200);
    const sub = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/subscription',
      headers: await h.headers(),
    });
    expect(sub.statusCode).toBe(200);
    expect(sub.json()).toMatchObject({
      plan: null,
      status: 'none',
      entitlements: { seats: 1, mcpAccess: false },
    });
    const ent = await h.app.inject({
      method: 'GET',
      url: '/internal/entitlements/org_x',
      headers: await h.headers(),
    });
    expect(ent.json()).toMatchObject({ tenantId: 'org_x', plan: 'solo', status: 'none' });
  });

  it('answers 501 not-configured problem+json naming STRIPE_SECRET_KEY on Stripe-backed routes', async () => {
    const headers = await h.headers();
    const calls = [
      {
        method: 'POST' as const,
        url: '/v1/billing/checkout',
        payload: {
          plan: 'solo',
          interval: 'month',
          currency: 'usd',
          successUrl: 'https://a.test/ok',
          cancelUrl: 'https://a.test/no',
        },
      },
      { method: 'POST' as const, url: '/v1/billing/portal', payload: { returnUrl: 'https://a.test/back' } },
      { method: 'GET' as const, url: '/v1/billing/subscription/change-preview?plan=growth&interval=month' },
      {
        method: 'POST' as const,
        url: '/v1/billing/subscription/change',
        payload: { plan: 'growth', interval: 'month' },
      },
    ];
    for (const call of calls) {
      const res = await h.app.inject({ ...call, headers });
      expect(res.statusCode, call.url).toBe(501);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().type).toMatch(/\/not-configured$/);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.json().detail).toContain('STRIPE_SECRET_KEY');
    }
  });

  it('answers 501 naming STRIPE_WEBHOOK_SECRET on the webhook and stores nothing', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      payload: '{"id":"evt_1"}',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=x' },
    });
    expect(res.statusCode).toBe(501);
    expect(res.json().detail).toContain('STRIPE_WEBHOOK_SECRET');
    const rows = await h.owner.selectFrom('billing.stripe_events').selectAll().execute();
    expect(rows).toHaveLength(0);
  });

  it('honours the development plan override only in development', async () => {
    const dev = await startHarness({
      stripe: false,
      env: { NODE_ENV: 'development', STRIPE_SECRET_KEY: undefined, BILLING_DEV_PLAN: 'growth' },
    });
    try {
      const ent = await dev.app.inject({
        method: 'GET',
        url: '/internal/entitlements/org_demo',
        headers: await dev.headers(),
      });
      expect(ent.json()).toMatchObject({ plan: 'growth', status: 'none', entitlements: { mcpAccess: true } });
    } finally {
      await dev.close();
    }
  });
});
