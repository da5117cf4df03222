import type { RouteAccess } from './access.js';
import { aiRoutes } from './ai.js';
import { billingRoutes } from './billing.js';
import type { HttpMethod, RouteContract } from './route.js';
import { searchRoutes } from './search.js';
import { webhookRoutes } from './webhooks.js';

/** Every contract the platform declares, by group (the gateway routes the non-internal ones). */
export const ALL_ROUTES: readonly RouteContract[] = [
  ...Object.values(searchRoutes),
  ...Object.values(aiRoutes),
  ...Object.values(billingRoutes),
  ...Object.values(webhookRoutes),
];

export type AccessRule = { method: HttpMethod; path: string; access: RouteAccess };

/**
 * The permission table: each routed, non-public route with who may call it, read from the contracts
 * (the one place a rule is written). Throws when such a route declares none, so a new route cannot
 * ship open by omission.
 */
export function accessTable(routes: readonly RouteContract[] = ALL_ROUTES): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const route of routes) {
    if (route.auth === 'public' || route.auth === 'internal') continue;
    if (!route.access) throw new Error(`${route.method} ${route.path} declares no access rule`);
    if (route.auth === 'session' && route.access.scope)
      throw new Error(`${route.method} ${route.path} is session-only but names a machine scope`);
    rules.push({ method: route.method, path: route.path, access: route.access });
  }
  return rules;
}
