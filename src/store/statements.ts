// How the store runs its prepared queries (prepared-queries.ts): through Kysely's executor on any back end, or,
// on SQLite, straight on better-sqlite3 (sqlite-direct.ts). The store's hot paths are written once against this.

import type { Kysely } from 'kysely';
import type { PreparedQuery } from './prepared-queries.js';
import type { Database } from './schema.js';
import { inTransaction } from './transactions.js';

export interface Statements {
  /** The rows the query returns (a write's RETURNING rows). */
  rows<P, R>(query: PreparedQuery<P, R>, values: P): Promise<R[]>;
  /** How many rows a write without RETURNING changed. */
  changes<P>(query: PreparedQuery<P, unknown>, values: P): Promise<number>;
  /**
   * `work` in one transaction, its statements given as `tx`. On PostgreSQL `work` may run again (a deadlock broken,
   * transactions.ts), so it changes nothing outside the database.
   */
  transaction<T>(work: (tx: Statements) => Promise<T>): Promise<T>;
}

/** Statements through Kysely's executor (PostgreSQL; and SQLite inside a Kysely transaction). */
export function kyselyStatements(db: Kysely<Database>): Statements {
  return {
    async rows(query, values) {
      return (await db.executeQuery(query.bind(db, values))).rows;
    },
    async changes(query, values) {
      return Number((await db.executeQuery(query.bind(db, values))).numAffectedRows ?? 0n);
    },
    transaction: (work) => inTransaction(db, (trx) => work(kyselyStatements(trx))),
  };
}
