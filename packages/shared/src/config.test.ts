import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envFragments, loadConfig } from './config.js';

const spec = {
  service: 'test-service',
  schema: z.object({
    ...envFragments.base(3999),
    ...envFragments.internalAuth,
    DATABASE_URL: z.url(),
    REDIS_URL: z.url(),
    OPENAI_API_KEY: envFragments.optionalSecret,
  }),
  productionRequires: ['INTERNAL_TOKEN_SECRET', 'OPENAI_API_KEY'],
} as const;

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    loadConfig(spec, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('lists every missing and invalid variable in one error', () => {
    const problems = problemsOf({ PORT: 'not-a-port' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/DATABASE_URL is required/);
    expect(problems.join('\n')).toMatch(/REDIS_URL is required/);
    expect(problems.join('\n')).toMatch(/PORT:/);
  });

  it('applies development defaults and freezes the result', () => {
    const config = loadConfig(spec, { DATABASE_URL: 'postgres://x@h/db', REDIS_URL: 'redis://h:6379' });
    expect(config.PORT).toBe(3999);
    expect(config.NODE_ENV).toBe('development');
    expect(config.INTERNAL_TOKEN_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses development defaults in production, naming each variable', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@h/db',
      REDIS_URL: 'redis://h:6379',
    });
    expect(problems).toEqual([
      'INTERNAL_TOKEN_SECRET must be set in production (its development default is refused)',
      'OPENAI_API_KEY must be set in production (its development default is refused)',
    ]);
  });

  it('accepts production when every required variable is set', () => {
    const config = loadConfig(spec, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@h/db',
      REDIS_URL: 'redis://h:6379',
      INTERNAL_TOKEN_SECRET: 'a-real-secret-that-is-long-enough-0123456789',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(config.OPENAI_API_KEY).toBe('sk-test');
  });
});

describe('optional secrets', () => {
  it('treats an empty value as unset', () => {
    const config = loadConfig(spec, {
      DATABASE_URL: 'postgres://x@h/db',
      REDIS_URL: 'redis://h:6379',
      OPENAI_API_KEY: '',
    });
    expect(config.OPENAI_API_KEY).toBeUndefined();
  });
});

describe('SHUTDOWN_DRAIN_MS', () => {
  const env = { DATABASE_URL: 'postgres://x@h/db', REDIS_URL: 'redis://h:6379' };

  it('defaults to 1 s and reads a deployment’s value as milliseconds', () => {
    expect(loadConfig(spec, env).SHUTDOWN_DRAIN_MS).toBe(1_000);
    expect(loadConfig(spec, { ...env, SHUTDOWN_DRAIN_MS: '10000' }).SHUTDOWN_DRAIN_MS).toBe(10_000);
    expect(loadConfig(spec, { ...env, SHUTDOWN_DRAIN_MS: '0' }).SHUTDOWN_DRAIN_MS).toBe(0);
  });

  it('refuses a negative, fractional or non-numeric value', () => {
    for (const value of ['-1', '1.5', 'ten seconds']) {
      expect(problemsOf({ ...env, SHUTDOWN_DRAIN_MS: value }).join('\n')).toMatch(/^SHUTDOWN_DRAIN_MS:/);
    }
  });
});
