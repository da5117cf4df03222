export type CircuitState = 'closed' | 'open' | 'half-open';
export const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export type CircuitBreakerSettings = {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial request is let through. */
  cooldownMs: number;
  /**
   * The largest share of `failureThreshold` one tenant's failures count for (default 0.5), so one
   * tenant's traffic alone cannot open the circuit for all. Failures of the upstream itself
   * (unreachable, hung) are not a tenant's and count in full.
   */
  maxTenantShare?: number;
  onStateChange?: (state: CircuitState) => void;
  now?: () => number;
};

/**
 * A per-upstream circuit breaker: after `failureThreshold` consecutive failures it opens and callers
 * are refused at once; after `cooldownMs` a single trial request is allowed (half-open), and its
 * outcome closes or re-opens the circuit. A tenant's failures count only up to its share.
 */
export function createCircuitBreaker(settings: CircuitBreakerSettings) {
  const now = settings.now ?? Date.now;
  const perTenantCap = Math.max(1, Math.ceil(settings.failureThreshold * (settings.maxTenantShare ?? 0.5)));
  let state: CircuitState = 'closed';
  /** Failures since the last success: the upstream's own, and each tenant's (capped). */
  let failures = 0;
  const byTenant = new Map<string, number>();
  let openedAt = 0;
  let trialInFlight = false;

  const moveTo = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    settings.onStateChange?.(next);
  };

  /** Whether a request may go upstream now; when not, how many ms until a trial is allowed. */
  function tryAcquire(): { allowed: true; trial: boolean } | { allowed: false; retryAfterMs: number } {
    if (state === 'closed') return { allowed: true, trial: false };
    const waited = now() - openedAt;
    if (state === 'open' && waited >= settings.cooldownMs) moveTo('half-open');
    if (state === 'half-open' && !trialInFlight) {
      trialInFlight = true;
      return { allowed: true, trial: true };
    }
    return { allowed: false, retryAfterMs: Math.max(settings.cooldownMs - waited, 1_000) };
  }

  function onSuccess() {
    failures = 0;
    byTenant.clear();
    trialInFlight = false;
    moveTo('closed');
  }

  /** A failed call; `tenant` when the failure is an answer to that tenant's request. */
  function onFailure(tenant?: string) {
    trialInFlight = false;
    if (tenant === undefined) failures++;
    else {
      const mine = byTenant.get(tenant) ?? 0;
      if (mine < perTenantCap) failures++;
      byTenant.set(tenant, mine + 1);
    }
    if (state === 'half-open' || failures >= settings.failureThreshold) {
      byTenant.clear();
      openedAt = now();
      moveTo('open');
    }
  }

  /** The caller went away before the outcome was known: neither success nor failure, but free the trial slot. */
  function onAbandon(trial: boolean) {
    if (trial) trialInFlight = false;
  }

  return { tryAcquire, onSuccess, onFailure, onAbandon, state: () => state };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
