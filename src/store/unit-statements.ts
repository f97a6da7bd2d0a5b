// How a unit of work (unit-of-work.ts) runs its queries: through the Statements of its transaction
// (Statements.transaction: on SQLite straight on better-sqlite3, in a savepoint of the group commit; on PostgreSQL
// through Kysely's executor, in a transaction of its own, run again after a deadlock). The hot ones are prepared
// (prepared-queries.ts); the others are built with Kysely on every call, as before, and run the same way.

import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { PreparedQuery } from './prepared-queries.js';
import type { Database } from './schema.js';
import type { Statements } from './statements.js';

export interface UnitStatements {
  /** Builds the queries made per call (and says which dialect: locksRows); never runs them itself. */
  db: Kysely<Database>;
  /** The unit's transaction. */
  statements: Statements;
}

/** A query compiled for this call only, run like a prepared one. */
function once<R>(compiled: CompiledQuery<R>): PreparedQuery<Record<string, never>, R> {
  return { bind: () => compiled };
}

/** The rows of a query built for this call (a read, or a write with RETURNING). */
export function rowsOf<R>(tx: UnitStatements, query: Compilable<R>): Promise<R[]> {
  return tx.statements.rows(once(query.compile()), {});
}

/** How many rows a write built for this call (without RETURNING) changed. */
export function changesOf(tx: UnitStatements, query: Compilable<unknown>): Promise<number> {
  return tx.statements.changes(once(query.compile()), {});
}

/** A raw statement (sql``), compiled for the unit's dialect; its rows. */
export function rawRowsOf<R>(tx: UnitStatements, query: { compile(db: Kysely<Database>): CompiledQuery<R> }): Promise<R[]> {
  return tx.statements.rows(once(query.compile(tx.db)), {});
}
