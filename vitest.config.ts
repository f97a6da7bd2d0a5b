import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The gateway processes tests start read no developer's ./.env (src/env-file.ts): only what each test sets.
    env: { ENV_FILE: '/dev/null' },
    // First, one message naming whatever this machine lacks for the suite (Chromium, PostgreSQL, better-sqlite3).
    // Then one throwaway PostgreSQL cluster per run, for the store suite on PostgreSQL and the multi-instance tests.
    globalSetup: ['test/support/prerequisites-global-setup.ts', 'test/support/postgres-global-setup.ts'],
  },
});
