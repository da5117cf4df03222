import {
  type Currency,
  getPlan,
  type Interval,
  LOWEST_PLAN,
  type PlanId,
  type Subscription,
  type TenantEntitlements,
} from '@mna/shared';
import type { Kysely } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';
import { asTenant } from '../../db/scope.js';
import { type SubscriptionRow, subscriptionsRepo } from './subscriptions.repo.js';

type Status = Subscription['status'];

/**
 * Whether a subscription state grants its plan: `active` and `trialing` do, `past_due` does until its
 * grace period ends; `unpaid`, `canceled`, `incomplete(_expired)` and `paused` fall to the lowest plan.
 */
export function grantsPlan(row: Pick<SubscriptionRow, 'status' | 'grace_until'>, now: Date): boolean {
  if (row.status === 'active' || row.status === 'trialing') return true;
  if (row.status === 'past_due') return !row.grace_until || row.grace_until.getTime() > now.getTime();
  return false;
}

export type SubscriptionsServiceDeps = {
  db: Kysely<BillingDatabase>;
  /** Development-only plan for tenants without a subscription (see config BILLING_DEV_PLAN). */
  devPlan?: PlanId | undefined;
  now?: () => Date;
};

/** A tenant's subscription as stored from Stripe, and the entitlements it grants. */
export function createSubscriptionsService(deps: SubscriptionsServiceDeps) {
  const now = deps.now ?? (() => new Date());

  async function effective(tenantId: string) {
    const row = await asTenant(deps.db, tenantId, (trx) => subscriptionsRepo.find(trx, tenantId));
    if (!row) {
      const plan = deps.devPlan ? getPlan(deps.devPlan) : LOWEST_PLAN;
      return { row, plan, status: 'none' as Status, paid: Boolean(deps.devPlan) };
    }
    const subscribed = row.plan ? getPlan(row.plan as PlanId) : undefined;
    const paid = Boolean(subscribed) && grantsPlan(row, now());
    const plan = paid && subscribed ? subscribed : LOWEST_PLAN;
    return { row, plan, status: row.status as Status, paid };
  }

  return {
    async getSubscription(tenantId: string): Promise<Subscription> {
      const { row, plan, status } = await effective(tenantId);
      return {
        plan: (row?.plan as PlanId | null | undefined) ?? null,
        status,
        interval: (row?.interval as Interval | null | undefined) ?? null,
        currency: (row?.currency as Currency | null | undefined) ?? null,
        currentPeriodEnd: row?.current_period_end?.toISOString() ?? null,
        cancelAtPeriodEnd: row?.cancel_at_period_end ?? false,
        graceUntil: row?.grace_until?.toISOString() ?? null,
        entitlements: plan.entitlements,
      };
    },
    async getEntitlements(tenantId: string): Promise<TenantEntitlements> {
      const { row, plan, status, paid } = await effective(tenantId);
      const periodEnd = paid ? (row?.current_period_end?.toISOString() ?? null) : null;
      return { tenantId, plan: plan.id, status, entitlements: plan.entitlements, paid, periodEnd };
    },
  };
}

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;
