import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant } from '../src/db/scope.js';
import { ADMIN_USER, type Harness, startHarness } from './harness.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

describe('GET /v1/billing/analytics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ stripe: false });
    const sub = (
      tenant: string,
      plan: string,
      interval: string,
      currency: string,
      amount: number,
      status: string,
      startedDaysAgo: number,
      canceledDaysAgo?: number,
    ) => ({
      tenant_id: tenant,
      stripe_customer_id: `cus_${tenant}`,
      stripe_subscription_id: `sub_${tenant}`,
      plan,
      interval,
      currency,
      unit_amount: amount,
      status,
      cancel_at_period_end: false,
      started_at: ago(startedDaysAgo),
      canceled_at: canceledDaysAgo === undefined ? null : ago(canceledDaysAgo),
    });
    await h.owner
      .insertInto('billing.subscriptions')
      .values([
        sub('t1', 'growth', 'month', 'usd', 79_800, 'active', 60),
        sub('t2', 'enterprise', 'year', 'usd', 1_725_840, 'active', 60),
        sub('t3', 'solo', 'month', 'eur', 25_900, 'past_due', 60),
        sub('t4', 'growth', 'month', 'eur', 73_900, 'canceled', 60, 5),
        sub('t5', 'solo', 'month', 'usd', 27_900, 'trialing', 3),
        sub('t6', 'solo', 'month', 'usd', 27_900, 'unpaid', 60),
      ])
      .execute();
    const move = (
      tenant: string,
      currency: string,
      kind: 'new' | 'expansion' | 'contraction' | 'churned',
      amount: number,
      daysAgo: number,
    ) => ({
      tenant_id: tenant,
      currency,
      kind,
      amount,
      stripe_event_id: null,
      occurred_at: ago(daysAgo),
    });
    await h.owner
      .insertInto('billing.mrr_movements')
      .values([
        move('t2', 'usd', 'new', 143_820, 60),
        move('t5', 'usd', 'new', 27_900, 3),
        move('t1', 'usd', 'expansion', 51_900, 10),
        move('t4', 'eur', 'churned', 73_900, 5),
        move('t3', 'eur', 'contraction', 48_000, 7),
        move('t6', 'usd', 'churned', 27_900, 2),
      ])
      .execute();
    const dun = (invoice: string, currency: string, daysAgo: number, recovered: number | null) => ({
      invoice_id: invoice,
      tenant_id: 't1',
      currency,
      amount_due: 27_900,
      recipient: null,
      started_at: ago(daysAgo),
      grace_until: ago(daysAgo - 7),
      recovered_at: recovered === null ? null : ago(daysAgo - 1),
      recovered_amount: recovered,
    });
    await h.owner
      .insertInto('billing.dunning_cases')
      .values([dun('in_1', 'usd', 10, 27_900), dun('in_2', 'eur', 4, null), dun('in_3', 'usd', 40, 27_900)])
      .execute();
  });
  afterAll(() => h.close());

  it('equals the hand-computed figures on a seeded set in two currencies', async () => {
    const from = ago(30).toISOString();
    const to = new Date(Date.now() + 1_000).toISOString();
    const res = await h.app.inject({
      method: 'GET',
      url: `/v1/billing/analytics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      headers: await h.headers({ userId: ADMIN_USER }),
    });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    // usd: 79,800 + round(1,725,840 / 12) = 143,820 + 27,900 (trialing); the unpaid one does not count.
    expect(a.mrr).toEqual({ usd: 251_520, eur: 25_900 });
    expect(a.arr).toEqual({ usd: 3_018_240, eur: 310_800 });
    expect(a.movements).toEqual({
      usd: { new: 27_900, expansion: 51_900, contraction: 0, churned: 27_900 },
      eur: { new: 0, expansion: 0, contraction: 48_000, churned: 73_900 },
    });
    // MRR at the start: usd 27,900 + 143,820 + 27,900 = 199,620; eur 73,900 × 2 = 147,800.
    expect(a.revenueChurnRate).toEqual({ usd: 0.1398, eur: 0.8248 });
    // Five customers at the start (t5 is new), two churned (t4, t6).
    expect(a.logoChurnRate).toBe(0.4);
    expect(a.subscribers).toEqual(
      expect.arrayContaining([
        { plan: 'growth', status: 'active', count: 1 },
        { plan: 'enterprise', status: 'active', count: 1 },
        { plan: 'solo', status: 'past_due', count: 1 },
        { plan: 'growth', status: 'canceled', count: 1 },
        { plan: 'solo', status: 'trialing', count: 1 },
        { plan: 'solo', status: 'unpaid', count: 1 },
      ]),
    );
    expect(a.subscribers).toHaveLength(6);
    expect(a.dunning).toEqual({
      started: 2,
      recovered: 1,
      recoveryRate: 0.5,
      recoveredRevenue: { usd: 27_900 },
    });
  });

  it('admits a principal flagged platform admin by the gateway; refuses everyone else', async () => {
    const flagged = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/analytics',
      headers: await h.headers({ platformAdmin: true }),
    });
    expect(flagged.statusCode).toBe(200);
    const orgAdmin = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/analytics',
      headers: await h.headers({ orgRole: 'org:admin' }),
    });
    expect(orgAdmin.statusCode).toBe(403);
    const bad = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/analytics?from=yesterday',
      headers: await h.headers({ userId: ADMIN_USER }),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('row level security: a tenant transaction sees only its own subscription', async () => {
    const rows = await asTenant(h.db, 't1', (trx) =>
      trx.selectFrom('billing.subscriptions').select('tenant_id').execute(),
    );
    expect(rows).toEqual([{ tenant_id: 't1' }]);
    const none = await h.db.selectFrom('billing.subscriptions').select('tenant_id').execute();
    expect(none).toEqual([]);
  });
});
