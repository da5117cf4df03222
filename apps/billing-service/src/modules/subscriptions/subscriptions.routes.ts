import { billingRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { CheckoutService } from '../checkout/checkout.service.js';
import type { SubscriptionsService } from './subscriptions.service.js';

/** The tenant's subscription, plan changes, and the gateway's entitlements read. */
export function registerSubscriptionRoutes(
  app: ServiceApp,
  deps: { subscriptions: SubscriptionsService; checkout: CheckoutService },
) {
  mountRoute(app, billingRoutes.subscription, ({ principal }) =>
    deps.subscriptions.getSubscription(principal.tenantId),
  );
  mountRoute(app, billingRoutes.entitlements, ({ params }) =>
    deps.subscriptions.getEntitlements(params.tenantId),
  );
  mountRoute(app, billingRoutes.checkout, ({ principal, body }) =>
    deps.checkout.checkout(principal.tenantId, body),
  );
  mountRoute(app, billingRoutes.portal, ({ principal, body }) =>
    deps.checkout.portal(principal.tenantId, body.returnUrl),
  );
  mountRoute(app, billingRoutes.changePreview, ({ principal, query }) =>
    deps.checkout.previewChange(principal.tenantId, query),
  );
  mountRoute(app, billingRoutes.change, async ({ principal, body }) => {
    await deps.checkout.change(principal.tenantId, body);
    return deps.subscriptions.getSubscription(principal.tenantId);
  });
}
