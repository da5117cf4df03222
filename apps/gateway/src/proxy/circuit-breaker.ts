export type CircuitState = 'closed' | 'open' | 'half-open';
export const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export type CircuitBreakerSettings = {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial request is let through. */
  cooldownMs: number;
  onStateChange?: (state: CircuitState) => void;
  now?: () => number;
};

/**
 * A per-upstream circuit breaker: after `failureThreshold` consecutive failures it opens and callers
 * are refused at once; after `cooldownMs` a single trial request is allowed (half-open), and its
 * outcome closes or re-opens the circuit.
 */
export function createCircuitBreaker(settings: CircuitBreakerSettings) {
  const now = settings.now ?? Date.now;
  let state: CircuitState = 'closed';
  let failures = 0;
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
    trialInFlight = false;
    moveTo('closed');
  }

  function onFailure() {
    trialInFlight = false;
    failures++;
    if (state === 'half-open' || failures >= settings.failureThreshold) {
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
