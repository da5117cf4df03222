import { annualFromMonthly, CURRENCIES, INTERVALS, PLANS, priceLookupKey } from '@mna/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productIdOf, syncCatalog, TAX_BEHAVIOR } from '../src/modules/catalog/catalog.sync.js';
import { type Harness, startHarness } from './harness.js';

describe('catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('has 3 plans × 2 intervals × 3 currencies, annual = round(12 × monthly × 0.9) in minor units', () => {
    expect(PLANS.map((p) => p.id)).toEqual(['solo', 'growth', 'enterprise']);
    const usd = (plan: string, interval: string) =>
      PLANS.find((p) => p.id === plan)!.prices.find((x) => x.currency === 'usd' && x.interval === interval)!
        .unitAmount;
    expect([usd('solo', 'month'), usd('growth', 'month'), usd('enterprise', 'month')]).toEqual([
      27_900, 79_800, 159_800,
    ]);
    expect([usd('solo', 'year'), usd('growth', 'year'), usd('enterprise', 'year')]).toEqual([
      301_320, 861_840, 1_725_840,
    ]);
    for (const plan of PLANS) {
      expect(plan.prices).toHaveLength(6);
      for (const currency of CURRENCIES) {
        const monthly = plan.prices.find((p) => p.currency === currency && p.interval === 'month')!;
        const annual = plan.prices.find((p) => p.currency === currency && p.interval === 'year')!;
        expect(Number.isInteger(monthly.unitAmount) && Number.isInteger(annual.unitAmount)).toBe(true);
        expect(annual.unitAmount).toBe(Math.round(monthly.unitAmount * 12 * 0.9));
        expect(annual.unitAmount).toBe(annualFromMonthly(monthly.unitAmount));
      }
    }
  });

  it('synced every price to Stripe by lookup key, tax behaviour set; a second sync changes nothing', async () => {
    const prices = [...h.fake!.state.prices.values()];
    expect(prices).toHaveLength(18);
    for (const plan of PLANS) {
      for (const interval of INTERVALS) {
        for (const currency of CURRENCIES) {
          const p = h.fake!.price(priceLookupKey(plan.id, interval, currency))!;
          expect(p).toMatchObject({ currency, tax_behavior: TAX_BEHAVIOR, product: productIdOf(plan.id) });
          expect(p.unit_amount).toBe(
            plan.prices.find((x) => x.currency === currency && x.interval === interval)!.unitAmount,
          );
        }
      }
    }
    const writesBefore = h.fake!.requests.filter((r) => r.method === 'POST').length;
    const report = await syncCatalog(h.stripe!);
    expect(new Set(Object.values(report.prices))).toEqual(new Set(['unchanged']));
    expect(new Set(Object.values(report.products))).toEqual(new Set(['unchanged']));
    expect(h.fake!.requests.filter((r) => r.method === 'POST').length).toBe(writesBefore);
    expect(h.fake!.state.prices.size).toBe(18);
  });

  it('a changed amount creates a new price, moves the lookup key and archives the old one', async () => {
    const key = priceLookupKey('solo', 'month', 'usd');
    const old = h.fake!.price(key)!;
    const changed = PLANS.map((p) =>
      p.id !== 'solo'
        ? p
        : { ...p, prices: p.prices.map((x) => (x.lookupKey === key ? { ...x, unitAmount: 29_900 } : x)) },
    );
    const report = await syncCatalog(h.stripe!, changed);
    expect(report.prices[key]).toBe('updated');
    expect(report.archived).toEqual([old.id]);
    const moved = h.fake!.price(key)!;
    expect(moved.id).not.toBe(old.id);
    expect(moved.unit_amount).toBe(29_900);
    expect(h.fake!.state.prices.get(old.id)).toMatchObject({ active: false, lookup_key: null });
    const transfer = h.fake!.requests.find(
      (r) => r.method === 'POST' && r.path === '/v1/prices' && r.body.includes('29900'),
    );
    expect(transfer?.body).toContain('transfer_lookup_key=true');
    // And back again: the catalog's price returns under the same key.
    await syncCatalog(h.stripe!);
    expect(h.fake!.price(key)!.unit_amount).toBe(27_900);
  });

  it('GET /v1/billing/plans lists the catalog, narrowed by currency; unknown currency is a 400', async () => {
    const all = await h.app.inject({ method: 'GET', url: '/v1/billing/plans' });
    expect(all.statusCode).toBe(200);
    expect(all.json().plans).toHaveLength(3);
    const gbp = await h.app.inject({ method: 'GET', url: '/v1/billing/plans?currency=gbp' });
    expect(gbp.json().plans[0].prices.map((p: { currency: string }) => p.currency)).toEqual(['gbp', 'gbp']);
    const bad = await h.app.inject({ method: 'GET', url: '/v1/billing/plans?currency=jpy' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });
});
