import {
  cheapestPlanWith,
  type Entitlements,
  type Feature,
  ForbiddenError,
  UnauthorizedError,
} from '@mna/shared';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import '../fastify-types.js';
import {
  devTenantPlan,
  type EntitlementsService,
  type TenantPlan,
} from '../entitlements/entitlements.service.js';
import { checkPaidAccess } from '../entitlements/paid-check.js';
import { type GatewayRoute, MCP_PATH } from '../proxy/route-table.js';
import { checkRouteAccess } from './route-access.js';
import type { TokenVerifier } from './token-verifier.js';

export type AuthPluginOptions = {
  verifier: TokenVerifier;
  entitlements: EntitlementsService;
  platformAdminUserIds: string[];
  /** The 401's `WWW-Authenticate` for a request (RFC 9728's resource_metadata). */
  challenge: (request: FastifyRequest, invalidToken: boolean) => string;
};

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i;
const FEATURE_KEY: Record<Feature, keyof Entitlements> = { mcp: 'mcpAccess', analytics: 'analytics' };

/** One generic answer for every authentication failure: no hint which check failed. */
const unauthorized = (challenge: string) => new UnauthorizedError(undefined, challenge);

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  return BEARER.exec(header.trim())?.[1] ?? null;
}

function checkFeature(route: GatewayRoute, plan: TenantPlan, platformAdmin: boolean) {
  if (!route.feature) return;
  if (plan.entitlements[FEATURE_KEY[route.feature]]) return;
  if (route.feature === 'analytics' && platformAdmin) return;
  const including = cheapestPlanWith(route.feature);
  throw new ForbiddenError(
    `Your plan (${plan.plan}) does not include ${route.feature}; it is part of the ${including?.name ?? 'a higher'} plan.`,
  );
}

/**
 * Authenticates every proxied, non-public route before its body is read: a Clerk-verified bearer
 * token (session, or machine where the route allows it), the route's access rule (role or scope, 403),
 * then the tenant's plan: feature (403), subscription and seats (402).
 * The result is `request.principal`, the only identity the upstream will hear about.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app, options) => {
    app.decorateRequest('tenantPlan', null);
    const admins = new Set(options.platformAdminUserIds);
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions.config.gateway;
      if (!route || route.auth === 'public') return;
      const token = bearerOf(request);
      if (!token) throw unauthorized(options.challenge(request, false));
      const identity = await options.verifier.verify(token);
      if (!identity) {
        request.log.info({ reason: 'invalid-token' }, 'authentication refused');
        throw unauthorized(options.challenge(request, true));
      }
      // An OAuth access token was issued for the MCP server (its audience): nothing else accepts it.
      if (identity.kind === 'session' && identity.oauth && route.path !== MCP_PATH) {
        throw unauthorized(options.challenge(request, true));
      }
      const tenantId = identity.kind === 'session' ? (identity.orgId ?? identity.userId) : identity.tenantId;
      if (!tenantId) throw unauthorized(options.challenge(request, true));
      const userId = identity.kind === 'session' ? identity.userId : identity.machineId;
      const platformAdmin = identity.kind === 'session' && admins.has(userId);
      checkRouteAccess(route, identity, platformAdmin);
      const plan =
        identity.kind === 'session' && identity.devPlan
          ? devTenantPlan(identity.devPlan)
          : await options.entitlements.forTenant(tenantId, request.id);
      checkFeature(route, plan, platformAdmin);
      checkPaidAccess(route, plan, identity.kind === 'session' ? identity.orgMembers : null);
      request.tenantPlan = plan;
      request.principal = {
        tenantId,
        userId,
        orgRole: identity.kind === 'session' ? identity.orgRole : null,
        plan: plan.plan,
        requestId: request.id,
        permissions: identity.kind === 'session' ? identity.permissions : identity.scopes,
        platformAdmin,
      };
    });
  },
  { name: 'gateway-auth', dependencies: ['mna-errors'] },
);
