// Kysely's PostgreSQL dialect, with driver errors that say "unreachable" as StoreUnavailableError. Its
// transactions run concurrently at READ COMMITTED: how the store's transactions stay correct side by side
// (row locks in id order, ON CONFLICT, SKIP LOCKED, a retry on deadlock) is in transactions.ts.

import { PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { translateDriverError } from './postgres-errors.js';

export class GatewayPostgresDialect extends PostgresDialect {
  constructor(pool: pg.Pool) {
    super({ pool: reachabilityAwarePool(pool) });
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
