import { billingRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';
import { auditAction } from '../audit/audit.repo.js';
import type { CheckoutService } from '../checkout/checkout.service.js';
import type { SubscriptionsService } from './subscriptions.service.js';

/** The tenant's subscription, plan changes, and the gateway's entitlements read. */
export function registerSubscriptionRoutes(
  app: ServiceApp,
  deps: { subscriptions: SubscriptionsService; checkout: CheckoutService; db: Kysely<BillingDatabase> },
) {
  mountRoute(app, billingRoutes.subscription, ({ principal }) =>
    deps.subscriptions.getSubscription(principal.tenantId),
  );
  mountRoute(app, billingRoutes.entitlements, ({ params }) =>
    deps.subscriptions.getEntitlements(params.tenantId),
  );
  mountRoute(app, billingRoutes.checkout, async ({ principal, body }) => {
    const answer = await deps.checkout.checkout(principal.tenantId, body);
    const { plan, interval, currency } = body;
    await auditAction(deps.db, principal, {
      action: 'billing.checkout',
      target: plan,
      details: { interval, currency },
    });
    return answer;
  });
  mountRoute(app, billingRoutes.portal, async ({ principal, body }) => {
    const answer = await deps.checkout.portal(principal.tenantId, body.returnUrl);
    await auditAction(deps.db, principal, { action: 'billing.portal', target: null });
    return answer;
  });
  mountRoute(app, billingRoutes.changePreview, ({ principal, query }) =>
    deps.checkout.previewChange(principal.tenantId, query),
  );
  mountRoute(app, billingRoutes.change, async ({ principal, body }) => {
    await deps.checkout.change(principal.tenantId, body);
    await auditAction(deps.db, principal, {
      action: 'billing.subscription.change',
      target: body.plan,
      details: { interval: body.interval },
    });
    return deps.subscriptions.getSubscription(principal.tenantId);
  });
}
