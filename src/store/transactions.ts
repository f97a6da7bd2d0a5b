// How the store's transactions run side by side. SQLite runs one writer at a time by itself (BEGIN IMMEDIATE,
// sqlite-dialect.ts). PostgreSQL runs them concurrently at READ COMMITTED, so each transaction that reads
// before it writes locks the rows it is about to change (FOR UPDATE, always in connection id order, so two
// transactions never wait on each other in a circle), and the rare deadlock or serialization failure
// PostgreSQL still reports is retried here, in one place.

import { PostgresAdapter, type Kysely, type QueryExecutorProvider, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** True on PostgreSQL: transactions there run concurrently and take row locks; SQLite serializes them. */
export function locksRows(db: QueryExecutorProvider): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * The connections a query selects, in id order and, on PostgreSQL, locked until the transaction ends: the one
 * order every transaction takes connection rows in. What it reads is what the transaction's changes start from.
 */
export function lockedInIdOrder(trx: QueryExecutorProvider) {
  const lock = locksRows(trx);
  return <O>(query: SelectQueryBuilder<Database, 'connections', O>): SelectQueryBuilder<Database, 'connections', O> => {
    const ordered = query.orderBy('connections.id');
    return lock ? ordered.forUpdate() : ordered;
  };
}

// 40P01 deadlock_detected: PostgreSQL broke a cycle of waits by failing one transaction (lock order keeps
// them rare: rows that join a set after it was locked). 40001 serialization_failure. Both mean "run again".
const transientConflicts = new Set(['40P01', '40001']);
export const maxTransactionAttempts = 5;

export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && transientConflicts.has(code);
}

/**
 * Runs `work` in a transaction, again from the start (a fresh transaction that reads everything anew) when
 * PostgreSQL failed it with a deadlock or serialization failure, at most maxTransactionAttempts times in all.
 * `work` must write nothing outside the database: it may run more than once.
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= maxTransactionAttempts || !isTransientConflict(error)) throw error;
      // A short random pause, so the transactions that collided do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
