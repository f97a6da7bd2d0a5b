// Kysely's PostgreSQL dialect, with the two things the gateway needs on top: transactions that behave as they
// do on SQLite, and driver errors that say "unreachable" as StoreUnavailableError.

import {
  CompiledQuery,
  PostgresDialect,
  PostgresDriver,
  type DatabaseConnection,
  type Driver,
  type PostgresDialectConfig,
  type PostgresPool,
  type PostgresPoolClient,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import { translateDriverError } from './postgres-errors.js';

/** The advisory lock every transaction of the gateway takes: "ZCGW", in every instance on the database. */
export const transactionLockKey = 0x5a434757;

export class GatewayPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(pool: pg.Pool) {
    const config: PostgresDialectConfig = { pool: reachabilityAwarePool(pool) };
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new SerializedTransactionPostgresDriver(this.#config);
  }
}

/**
 * The store's transactions were written against SQLite, where BEGIN IMMEDIATE runs them one at a time across
 * every process on the file. Under PostgreSQL's READ COMMITTED, two of them could interleave: two first
 * saves for one end user both find no row and both insert (a unique violation), or two saves moving shared
 * credentials update rows in opposite orders (a deadlock). A transaction-scoped advisory lock, taken first
 * thing, gives every gateway instance on the database SQLite's one-at-a-time order. The transactions are a
 * few statements long and never wait on anything outside the database, so the queue stays short;
 * single statements (the atomic claims of launches and states among them) do not take it.
 */
class SerializedTransactionPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await super.beginTransaction(connection, settings);
    await connection.executeQuery(CompiledQuery.raw(`select pg_advisory_xact_lock(${transactionLockKey})`));
  }
}

/** The pool as Kysely sees it, with every driver error passed through translateDriverError. */
function reachabilityAwarePool(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect().catch((error: unknown) => {
        throw translateDriverError(error);
      });
      let wrapped = clients.get(client);
      if (!wrapped) {
        wrapped = reachabilityAwareClient(client);
        // Kysely keeps one connection object per client; the same wrapper keeps it that way.
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}

function reachabilityAwareClient(client: pg.PoolClient): PostgresPoolClient {
  const query = (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown => {
    // A cursor (Kysely's streaming, unused by the store) reports its errors as it is read.
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
    return client.query(sqlOrCursor, parameters as unknown[]).catch((error: unknown) => {
      throw translateDriverError(error);
    });
  };
  return {
    query: query as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  };
}
