// The shared back end: PostgreSQL through `pg`, for several gateway instances behind a load balancer. The
// Store is the very same Kysely implementation as on SQLite (kysely-store.ts) with the same migrations, so
// the flow cannot tell the two apart; what differs is opening the database and what its failures mean.

import { Kysely } from 'kysely';
import pg from 'pg';
import { kyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import { GatewayPostgresDialect } from './postgres-dialect.js';
import { startupMessage, type PostgresTarget } from './postgres-errors.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

export interface PostgresStoreOptions {
  /** Connections this instance keeps at most (DATABASE_POOL_SIZE). */
  poolSize?: number;
  /** How long a request waits for a connection (a new one, or a free one from a busy pool). */
  connectTimeoutMs?: number;
  /** Keep the events the domain publishes in the outbox (WEBHOOK_URL is set). */
  events?: boolean;
}

export const defaultPostgresPoolSize = 10;
const defaultConnectTimeoutMs = 5_000;

/** Connects to DATABASE_URL, proves it answers, and migrates it to the latest schema. */
export async function createPostgresStore(databaseUrl: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const target = postgresTarget(databaseUrl);
  const connectTimeoutMs = options.connectTimeoutMs ?? defaultConnectTimeoutMs;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? defaultPostgresPoolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    // A database that vanished without closing its sockets is found by TCP keepalive, not minutes later.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'zoom-connect-gateway',
  });
  // A connection the server ends (restart, failover, pg_terminate_backend) raises 'error' on its client and,
  // while idle, on the pool; unheard, either would crash the process. The pool drops that client by itself
  // and the next request opens a new connection, so listening is all there is to do.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));

  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end();
    throw new Error(startupMessage(error, target, connectTimeoutMs), { cause: error });
  }

  const db = new Kysely<Database>({ dialect: new GatewayPostgresDialect(pool) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return kyselyStore(db, () => db.destroy(), { events: options.events ?? false });
}

/** The parts of DATABASE_URL a message may name; an unparsable URL is refused without repeating it. */
function postgresTarget(databaseUrl: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid PostgreSQL URL; expected postgres://user:password@host:port/database.');
  }
  const user = decodeURIComponent(url.username);
  return {
    user: user || '(the operating system user)',
    password: decodeURIComponent(url.password),
    host: url.hostname || url.searchParams.get('host') || 'localhost',
    port: url.port || '5432',
    database: decodeURIComponent(url.pathname.slice(1)) || user,
  };
}
