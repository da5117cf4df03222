import { billingRoutes, cheapestPlanAllowing, PaymentRequiredError } from '@mna/shared';
import type { GatewayRoute } from '../proxy/route-table.js';
import type { TenantPlan } from './entitlements.service.js';

/** Where a tenant without a paid plan is sent: the catalog and Checkout (trial on the first one). */
export const CHECKOUT_HINT = {
  plans: billingRoutes.plans.path,
  checkout: `${billingRoutes.checkout.method} ${billingRoutes.checkout.path}`,
} as const;

/**
 * Refuses a paid route (every non-public route whose rule is not `unpaid`) when no subscription,
 * trial or development plan pays for the tenant, and when the organisation has more members than the
 * plan's seats (only where the session token carries the count). 402 names the way out.
 */
export function checkPaidAccess(route: GatewayRoute, plan: TenantPlan, orgMembers: number | null): void {
  if (!route.access || route.access.unpaid) return;
  if (!plan.paid) {
    throw new PaymentRequiredError(
      'This tenant has no active subscription. Start one (the first includes a trial) with POST /v1/billing/checkout.',
      { ...CHECKOUT_HINT },
    );
  }
  if (orgMembers !== null && orgMembers > plan.entitlements.seats) {
    const upgrade = cheapestPlanAllowing('seats', orgMembers);
    throw new PaymentRequiredError(
      `The organisation has ${orgMembers} members; the ${plan.plan} plan includes ${plan.entitlements.seats} seats.` +
        (upgrade ? ` The ${upgrade.name} plan includes ${upgrade.entitlements.seats}.` : ' Remove members.'),
      {
        seats: plan.entitlements.seats,
        members: orgMembers,
        plan: upgrade?.id ?? null,
        change: `${billingRoutes.change.method} ${billingRoutes.change.path}`,
      },
    );
  }
}
