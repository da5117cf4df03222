import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against the critical modules (stryker.config.mjs): for each package, only the
 * test files beside the mutated modules, each project keeping its package's own setup.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'shared',
          root: './packages/shared',
          include: ['src/internal-auth.test.ts', 'src/kit/cursor.test.ts'],
        },
      },
      {
        test: {
          name: 'billing',
          root: './apps/billing-service',
          globalSetup: ['./test/global-setup.ts'],
          include: [
            'src/modules/partner-webhooks/url-guard.test.ts',
            'src/modules/partner-webhooks/schedule.test.ts',
            'src/modules/subscriptions/subscriptions.service.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'search',
          root: './apps/search-service',
          include: ['src/modules/search/cursor.test.ts'],
        },
      },
    ],
  },
});
