import { billingRoutes, ForbiddenError, type Principal } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import type { AnalyticsService } from './analytics.service.js';

/** Platform admins: user ids listed in BILLING_PLATFORM_ADMINS, or flagged by the gateway. */
export const isPlatformAdmin = (principal: Principal, admins: readonly string[]) =>
  principal.platformAdmin || admins.includes(principal.userId);

function requireAdmin(principal: Principal, admins: readonly string[]) {
  if (!isPlatformAdmin(principal, admins))
    throw new ForbiddenError('Only platform admins may use this route.');
}

/** Revenue analytics and the dead-letter admin routes. */
export function registerAdminRoutes(
  app: ServiceApp,
  deps: { analytics: AnalyticsService; webhooks: WebhooksService; admins: readonly string[] },
) {
  mountRoute(app, billingRoutes.analytics, ({ principal, query }) => {
    requireAdmin(principal, deps.admins);
    return deps.analytics(query);
  });
  mountRoute(app, billingRoutes.deadLetters, async ({ principal, query }) => {
    requireAdmin(principal, deps.admins);
    return { events: await deps.webhooks.listDeadLetters(query.limit) };
  });
  mountRoute(app, billingRoutes.replayWebhooks, async ({ principal, body }) => {
    requireAdmin(principal, deps.admins);
    const filter =
      'eventId' in body ? { ids: [body.eventId] } : { from: new Date(body.from), to: new Date(body.to) };
    return { replayed: await deps.webhooks.replay(filter) };
  });
}
