// @ts-check
/** The lowest mutation score (%) each critical module may fall to (scripts/mutation.mjs checks it). */
export const floors = {
  'packages/shared/src/internal-auth.ts': 90,
  'packages/shared/src/kit/cursor.ts': 90,
  'apps/billing-service/src/modules/partner-webhooks/url-guard.ts': 90,
  'apps/billing-service/src/modules/partner-webhooks/schedule.ts': 90,
  'apps/billing-service/src/modules/subscriptions/subscriptions.service.ts': 90,
  'apps/search-service/src/modules/search/cursor.ts': 90,
};

/**
 * Mutation testing of the security- and money-critical modules (`pnpm test:mutation`, TESTING.md).
 * Incremental: results for unchanged code and tests are reused from the report kept in the repository,
 * so a rerun after a small change only tests the mutants it touches.
 * Not yet run here (their code is being changed): the gateway's rate limit and auth plugin,
 * entitlements, the ai-service's partner scoring.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: Object.keys(floors),
  // Copying the monorepo into a sandbox would break the packages' relative tsconfig and workspace links.
  inPlace: true,
  // Vitest does not type-check; left on, Stryker would write `// @ts-nocheck` into files it then restores.
  disableTypeChecks: false,
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 90, break: null },
  tempDirName: '.stryker-tmp',
};
