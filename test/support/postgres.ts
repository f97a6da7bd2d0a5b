// The tests' side of the run's PostgreSQL cluster (started by postgres-global-setup.ts): a fresh database
// per caller, owned by the application role, dropped again when the caller is done with it.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { applicationRole } from './postgres-cluster.js';

export type ProvidedPostgres = { url: string; adminUrl: string } | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: ProvidedPostgres;
  }
}

/** The run's cluster; throws (failing the test, never skipping it) when there is none. */
export function runPostgres(): { url: string; adminUrl: string } {
  const provided = inject('postgres');
  if ('error' in provided) throw new Error(provided.error);
  return provided;
}

async function asAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface FreshDatabase {
  /** postgres://gateway:<password>@127.0.0.1:<port>/<fresh database> */
  url: string;
  name: string;
  /** Drops the database, ending whatever sessions are still connected to it. */
  drop(): Promise<void>;
}

/** An empty database of its own, owned by the application role. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const { url, adminUrl } = runPostgres();
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  await asAdmin(adminUrl, (client) => client.query(`create database ${name} owner ${applicationRole.user}`));
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.href,
    name,
    drop: () => asAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}
