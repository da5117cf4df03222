import type { TenantPlan } from './entitlements/entitlements.service.js';
import type { GatewayRoute } from './proxy/route-table.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on every proxied route: what the gateway knows about it. */
    gateway?: GatewayRoute;
  }
  interface FastifyRequest {
    /** The caller's plan, set by authentication on non-public routes. */
    tenantPlan: TenantPlan | null;
  }
}
