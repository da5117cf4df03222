import {
  billingRoutes,
  type Entitlements,
  getPlan,
  LOWEST_PLAN,
  type PlanId,
  type ServiceClient,
} from '@mna/shared';
import type { Logger } from 'pino';

export type TenantPlan = {
  plan: PlanId;
  entitlements: Entitlements;
  /** A subscription, trial or development plan pays for these entitlements (else: 402 on paid routes). */
  paid: boolean;
  /** End of the billing period (monthly quotas reset there); null: calendar months (UTC). */
  periodEnd: string | null;
  source: 'billing' | 'stale' | 'fallback' | 'dev';
};

export type EntitlementsDeps = {
  billing: Pick<ServiceClient, 'call'>;
  logger: Logger;
  ttlMs: number;
  timeoutMs: number;
};

/** How long a fallback answer is kept: short, so billing's recovery is seen quickly. */
const FALLBACK_TTL_MS = 5_000;

/**
 * A tenant's plan and entitlements from billing, cached in memory for `ttlMs` with one request in
 * flight per tenant. When billing cannot answer, the lowest plan's limits apply (never unlimited).
 */
export function createEntitlementsService(deps: EntitlementsDeps) {
  const cache = new Map<string, { value: TenantPlan; expiresAt: number }>();
  const inflight = new Map<string, Promise<TenantPlan>>();

  async function fetchPlan(tenantId: string, requestId: string): Promise<TenantPlan> {
    try {
      const answer = await deps.billing.call(billingRoutes.entitlements, {
        params: { tenantId },
        timeoutMs: deps.timeoutMs,
        principal: { tenantId, userId: 'gateway', orgRole: null, plan: LOWEST_PLAN.id, requestId },
      });
      const value: TenantPlan = {
        plan: answer.plan,
        entitlements: answer.entitlements,
        paid: answer.paid,
        periodEnd: answer.periodEnd,
        source: 'billing',
      };
      cache.set(tenantId, { value, expiresAt: Date.now() + deps.ttlMs });
      return value;
    } catch (error) {
      // Billing's last answer for this tenant outlives its TTL while billing is down; a tenant never
      // seen gets the lowest plan's limits (an outage must not 402 every tenant).
      const known = cache.get(tenantId)?.value;
      deps.logger.warn({ err: error, tenantId, stale: Boolean(known) }, 'entitlements unavailable');
      const value: TenantPlan = known
        ? { ...known, source: 'stale' }
        : {
            plan: LOWEST_PLAN.id,
            entitlements: LOWEST_PLAN.entitlements,
            paid: true,
            periodEnd: null,
            source: 'fallback',
          };
      cache.set(tenantId, { value, expiresAt: Date.now() + Math.min(FALLBACK_TTL_MS, deps.ttlMs) });
      return value;
    }
  }

  async function forTenant(tenantId: string, requestId: string): Promise<TenantPlan> {
    const cached = cache.get(tenantId);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const running = inflight.get(tenantId);
    if (running) return running;
    const promise = fetchPlan(tenantId, requestId).finally(() => inflight.delete(tenantId));
    inflight.set(tenantId, promise);
    return promise;
  }

  return { forTenant };
}

/** The catalog's entitlements of a plan chosen by a development token. */
export const devTenantPlan = (plan: PlanId): TenantPlan => ({
  plan,
  entitlements: getPlan(plan).entitlements,
  paid: true,
  periodEnd: null,
  source: 'dev',
});

export type EntitlementsService = ReturnType<typeof createEntitlementsService>;
