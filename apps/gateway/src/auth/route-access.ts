import { accessRequirement, ForbiddenError, sessionHasRole } from '@mna/shared';
import type { GatewayRoute } from '../proxy/route-table.js';
import type { Identity } from './token-verifier.js';

/**
 * Enforces the route's access rule (its contract's `access`) on a verified identity: a session needs
 * the rule's organisation role, a machine token the rule's scope (and a route open to machines). Runs in `onRequest`, before the
 * body is read, so a refused caller learns nothing about the body's validity. 403 names the need.
 */
export function checkRouteAccess(route: GatewayRoute, identity: Identity, platformAdmin: boolean): void {
  const access = route.access;
  if (!access) return; // public routes only: the route table refuses a non-public route without one
  if (identity.kind === 'machine') {
    // Session-only routes (auth `session`) name no scope: a machine, however scoped, is refused there.
    const scope = route.auth === 'session-or-machine' ? access.scope : undefined;
    if (scope && identity.scopes.includes(scope)) return;
    throw new ForbiddenError(`This route needs ${accessRequirement(access, true)}.`, {
      requiredScope: access.scope ?? null,
    });
  }
  if (sessionHasRole(access.role, { orgId: identity.orgId, orgRole: identity.orgRole, platformAdmin }))
    return;
  throw new ForbiddenError(`This route needs ${accessRequirement(access, false)}.`, {
    requiredRole: access.role,
  });
}
