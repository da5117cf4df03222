import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  it('opens after the threshold, lets one trial through after the cooldown, then closes on success', () => {
    let t = 0;
    const states: string[] = [];
    const breaker = createCircuitBreaker({
      failureThreshold: 3,
      cooldownMs: 1_000,
      now: () => t,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 2; i++) breaker.onFailure();
    expect(breaker.tryAcquire().allowed).toBe(true);
    breaker.onFailure();
    const refused = breaker.tryAcquire();
    expect(refused).toEqual({ allowed: false, retryAfterMs: 1_000 });
    t = 1_000;
    expect(breaker.tryAcquire()).toEqual({ allowed: true, trial: true });
    expect(breaker.tryAcquire().allowed).toBe(false);
    breaker.onSuccess();
    expect(breaker.state()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the trial fails, and a success resets the failure count', () => {
    let t = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 2, cooldownMs: 500, now: () => t });
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    expect(breaker.state()).toBe('closed');
    breaker.onFailure();
    expect(breaker.state()).toBe('open');
    t = 600;
    expect(breaker.tryAcquire().allowed).toBe(true);
    breaker.onFailure();
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire().allowed).toBe(false);
  });

  it('caps what one tenant’s failures count for: one tenant alone cannot open it, a second one can', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 4, cooldownMs: 500, maxTenantShare: 0.5 });
    for (let i = 0; i < 10; i++) breaker.onFailure('org_noisy');
    expect(breaker.state()).toBe('closed');
    breaker.onFailure('org_other');
    expect(breaker.state()).toBe('closed');
    breaker.onFailure('org_other');
    expect(breaker.state()).toBe('open');
  });

  it('counts failures of the upstream itself (unreachable, hung) without a tenant cap', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 500, maxTenantShare: 0.5 });
    breaker.onFailure('org_a');
    breaker.onFailure();
    expect(breaker.state()).toBe('closed');
    breaker.onFailure();
    expect(breaker.state()).toBe('open');
  });

  it('forgets the tenants’ failures on a success', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 4, cooldownMs: 500, maxTenantShare: 0.5 });
    breaker.onFailure('org_a');
    breaker.onFailure('org_a');
    breaker.onSuccess();
    breaker.onFailure('org_b');
    breaker.onFailure('org_b');
    expect(breaker.state()).toBe('closed');
  });
});
