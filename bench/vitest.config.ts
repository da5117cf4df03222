import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['relevance/**/*.test.ts', 'relevance/**/*.spec.ts'],
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
