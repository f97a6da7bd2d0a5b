import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One throwaway PostgreSQL cluster per run, for the store suite on PostgreSQL and the multi-instance tests.
    globalSetup: ['test/support/postgres-global-setup.ts'],
  },
});
