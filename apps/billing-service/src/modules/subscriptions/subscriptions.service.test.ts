import { getPlan, LOWEST_PLAN } from '@mna/shared';
import { createDb } from '@mna/shared/kit';
import { createTestDatabase, type TestDatabase } from '@mna/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BillingDatabase } from '../../db/schema.js';
import { createSubscriptionsService } from './subscriptions.service.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const GRACE_ENDS = new Date('2026-05-08T10:00:00.000Z');
const PERIOD_END = new Date('2026-05-31T00:00:00.000Z');
const at = (ms: number) => () => new Date(ms);

describe('the subscriptions service, on real Postgres as the app role', () => {
  let database: TestDatabase;
  let db: Kysely<BillingDatabase>;
  let owner: Kysely<BillingDatabase>;

  async function subscribe(
    tenantId: string,
    status: string,
    graceUntil: Date | null,
    plan: string | null = 'growth',
    periodEnd: Date | null = PERIOD_END,
  ) {
    await owner
      .insertInto('billing.subscriptions')
      .values({
        tenant_id: tenantId,
        stripe_customer_id: `cus_${tenantId}`,
        stripe_subscription_id: `sub_${tenantId}`,
        plan,
        interval: 'year',
        currency: 'eur',
        unit_amount: 739_000,
        status,
        current_period_end: periodEnd,
        cancel_at_period_end: true,
        grace_until: graceUntil,
        latest_invoice_id: null,
        latest_invoice_status: null,
        started_at: NOW,
        canceled_at: null,
      })
      .execute();
  }

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabase'));
    db = createDb<BillingDatabase>({ connectionString: database.appUrl, max: 2 });
    owner = createDb<BillingDatabase>({ connectionString: database.ownerUrl, max: 1 });
    for (const status of [
      'active',
      'trialing',
      'unpaid',
      'canceled',
      'incomplete',
      'incomplete_expired',
      'paused',
    ]) {
      await subscribe(`org_${status}`, status, null);
    }
    await subscribe('org_grace', 'past_due', GRACE_ENDS);
    await subscribe('org_past_due_open', 'past_due', null);
    await subscribe('org_no_plan', 'active', null, null);
    await subscribe('org_incomplete_new', 'incomplete', null, 'solo', null);
  });
  afterAll(async () => {
    await db.destroy();
    await owner.destroy();
    await database.drop();
  });

  const planOf = async (tenantId: string, now = () => NOW) =>
    (await createSubscriptionsService({ db, now }).getEntitlements(tenantId)).plan;

  it('grants the plan while active or trialing, the lowest plan otherwise', async () => {
    expect(await planOf('org_active')).toBe('growth');
    expect(await planOf('org_trialing')).toBe('growth');
    for (const status of ['unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused']) {
      expect(await planOf(`org_${status}`), status).toBe(LOWEST_PLAN.id);
    }
    expect(await planOf('org_no_plan')).toBe(LOWEST_PLAN.id);
  });

  it('keeps a past-due plan until the very millisecond its grace period ends', async () => {
    const end = GRACE_ENDS.getTime();
    expect(await planOf('org_grace', at(end - 1))).toBe('growth');
    expect(await planOf('org_grace', at(end))).toBe(LOWEST_PLAN.id);
    expect(await planOf('org_grace', at(end + 1))).toBe(LOWEST_PLAN.id);
    expect(await planOf('org_past_due_open', at(end + 86_400_000))).toBe('growth');
  });

  it('reads the clock when asked, not when created: the system clock by default', async () => {
    const service = createSubscriptionsService({ db });
    const { entitlements, status } = await service.getEntitlements('org_grace');
    expect(status).toBe('past_due');
    // GRACE_ENDS is in the past for the real clock of every run after 2026-05-08.
    expect(entitlements).toEqual(
      (Date.now() < GRACE_ENDS.getTime() ? getPlan('growth') : LOWEST_PLAN).entitlements,
    );
  });

  it('describes a stored subscription with the entitlements it grants', async () => {
    const service = createSubscriptionsService({ db, now: () => NOW });
    expect(await service.getSubscription('org_grace')).toEqual({
      plan: 'growth',
      status: 'past_due',
      interval: 'year',
      currency: 'eur',
      currentPeriodEnd: PERIOD_END.toISOString(),
      cancelAtPeriodEnd: true,
      graceUntil: GRACE_ENDS.toISOString(),
      entitlements: getPlan('growth').entitlements,
    });
    expect(await service.getEntitlements('org_canceled')).toEqual({
      tenantId: 'org_canceled',
      plan: LOWEST_PLAN.id,
      status: 'canceled',
      entitlements: LOWEST_PLAN.entitlements,
      paid: false,
      periodEnd: null,
    });
  });

  it('a tenant without a subscription has none: the lowest plan, or the development plan when set', async () => {
    const service = createSubscriptionsService({ db, now: () => NOW });
    expect(await service.getSubscription('org_new')).toEqual({
      plan: null,
      status: 'none',
      interval: null,
      currency: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      graceUntil: null,
      entitlements: LOWEST_PLAN.entitlements,
    });
    const dev = createSubscriptionsService({ db, devPlan: 'enterprise', now: () => NOW });
    expect(await dev.getEntitlements('org_new')).toEqual({
      tenantId: 'org_new',
      plan: 'enterprise',
      status: 'none',
      entitlements: getPlan('enterprise').entitlements,
      paid: true,
      periodEnd: null,
    });
    // A subscription Stripe has not yet given a period (incomplete) has no period end.
    expect(await service.getSubscription('org_incomplete_new')).toMatchObject({
      plan: 'solo',
      status: 'incomplete',
      currentPeriodEnd: null,
      graceUntil: null,
    });
    // The development plan never replaces a stored subscription's.
    expect((await dev.getEntitlements('org_canceled')).plan).toBe(LOWEST_PLAN.id);
  });

  it('reads only the asking tenant’s row', async () => {
    const service = createSubscriptionsService({ db, now: () => NOW });
    const rows = await Promise.all(['org_active', 'org_canceled'].map((t) => service.getSubscription(t)));
    expect(rows.map((r) => r.status)).toEqual(['active', 'canceled']);
  });
});
