import { ConfigError, loadConfig } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { configSpec, daysToMs, devPlanOverride } from './config.js';

describe('billing config', () => {
  it('requires both Stripe secrets in production', () => {
    const attempt = () =>
      loadConfig(configSpec, {
        NODE_ENV: 'production',
        INTERNAL_TOKEN_SECRET: 'x'.repeat(40),
        DATABASE_URL: 'postgres://a@b/c',
        MIGRATION_DATABASE_URL: 'postgres://a@b/c',
        REDIS_URL: 'redis://r',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('STRIPE_SECRET_KEY');
      expect(problems).toContain('STRIPE_WEBHOOK_SECRET');
    }
  });

  it('parses the dunning schedule and grace period in days', () => {
    const config = loadConfig(configSpec, { BILLING_DUNNING_DAYS: '0, 2, 5', BILLING_GRACE_DAYS: '10' });
    expect(config.BILLING_DUNNING_DAYS.map(daysToMs)).toEqual([0, 2 * 86_400_000, 5 * 86_400_000]);
    expect(daysToMs(config.BILLING_GRACE_DAYS)).toBe(10 * 86_400_000);
    expect(() => loadConfig(configSpec, { BILLING_DUNNING_DAYS: '0,soon' })).toThrow(ConfigError);
  });

  it('honours the development plan override only in development without a Stripe key', () => {
    expect(
      devPlanOverride({ NODE_ENV: 'development', STRIPE_SECRET_KEY: undefined, BILLING_DEV_PLAN: undefined }),
    ).toBe('enterprise');
    expect(
      devPlanOverride({ NODE_ENV: 'development', STRIPE_SECRET_KEY: undefined, BILLING_DEV_PLAN: 'solo' }),
    ).toBe('solo');
    expect(
      devPlanOverride({ NODE_ENV: 'development', STRIPE_SECRET_KEY: 'sk_test', BILLING_DEV_PLAN: 'growth' }),
    ).toBeUndefined();
    expect(
      devPlanOverride({ NODE_ENV: 'production', STRIPE_SECRET_KEY: undefined, BILLING_DEV_PLAN: 'growth' }),
    ).toBeUndefined();
    expect(
      devPlanOverride({ NODE_ENV: 'test', STRIPE_SECRET_KEY: undefined, BILLING_DEV_PLAN: undefined }),
    ).toBeUndefined();
  });

  it('defaults the webhook secret grace to 24 h and refuses private webhook URLs in production', () => {
    expect(loadConfig(configSpec, {}).WEBHOOK_SECRET_GRACE_HOURS).toBe(24);
    expect(loadConfig(configSpec, { WEBHOOK_SECRET_GRACE_HOURS: '2' }).WEBHOOK_SECRET_GRACE_HOURS).toBe(2);
    expect(loadConfig(configSpec, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(
      true,
    );
    try {
      loadConfig(configSpec, { NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toContain('WEBHOOK_ALLOW_PRIVATE_URLS');
    }
  });
});
