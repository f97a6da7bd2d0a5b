// vitest globalSetup: one throwaway PostgreSQL cluster per test run, shared by every test file that needs
// PostgreSQL (each test takes its own database in it: test/support/postgres.ts). When the binaries are
// missing, the run goes on and every PostgreSQL test fails with the reason: never a silent skip.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import type { ProvidedPostgres } from './postgres.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: PostgresCluster | undefined;
  let provided: ProvidedPostgres;
  try {
    cluster = await startPostgresCluster();
    provided = { url: cluster.url, adminUrl: cluster.adminUrl };
  } catch (error) {
    provided = { error: `No PostgreSQL server for the tests: ${(error as Error).message}` };
  }
  project.provide('postgres', provided);
  return async () => {
    await cluster?.destroy();
  };
}
