import { loadConfig } from '@mna/shared';
import { TEST_INTERNAL_SECRET } from '@mna/testing';
import { type BillingConfig, configSpec } from '../src/config.js';

/** The service's config as parsed from a test environment (defaults plus overrides). */
export const testConfig = (env: Record<string, string | undefined> = {}): BillingConfig =>
  loadConfig(configSpec, { NODE_ENV: 'test', INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET, ...env });
