import { defineConfig } from 'vitest/config';

// Infra checks spawn processes (promtool, pg_dump, a real service): they run one file at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
