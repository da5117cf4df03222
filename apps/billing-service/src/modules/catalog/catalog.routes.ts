import { billingRoutes, PLANS } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';

/** GET /v1/billing/plans: the catalog, optionally narrowed to one currency. Works without Stripe. */
export function registerCatalogRoutes(app: ServiceApp) {
  mountRoute(app, billingRoutes.plans, async ({ query }) => ({
    plans: PLANS.map((plan) => ({
      ...plan,
      prices: query.currency ? plan.prices.filter((p) => p.currency === query.currency) : plan.prices,
    })),
  }));
}
