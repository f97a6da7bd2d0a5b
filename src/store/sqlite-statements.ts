// better-sqlite3's prepared statements, kept. Kysely's SQLite driver calls `prepare(sql)` for every query it
// runs, and preparing (parsing and planning the SQL) cost more than running the statement: in a CPU profile of
// the launch under load, statement construction was about 7% of the process's time. The store's queries are a
// small, fixed set of SQL texts (values are always parameters), so statements are cached by their text; the bound
// keeps a query built with a varying number of values (IN lists) from growing the cache without end.
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** More than the store's distinct SQL texts, a few times over. */
const maxStatements = 500;

/**
 * A statement with what the store asks of it on every run, read once: `reader` and `readonly` are getters into
 * better-sqlite3's native code.
 */
export interface CachedStatement {
  statement: BetterSqlite3.Statement;
  /** It returns rows (run it with all()). */
  reader: boolean;
  /** It does not write (it need not join a write's group commit). */
  readonly: boolean;
}

export class StatementCache {
  readonly #statements = new Map<string, CachedStatement>();

  constructor(readonly database: BetterSqlite3.Database) {}

  prepare(sql: string): BetterSqlite3.Statement {
    return this.cached(sql).statement;
  }

  cached(sql: string): CachedStatement {
    let cached = this.#statements.get(sql);
    if (cached === undefined) {
      const statement = this.database.prepare(sql);
      cached = { statement, reader: statement.reader, readonly: statement.readonly };
      // Oldest first out: a Map iterates in insertion order.
      if (this.#statements.size >= maxStatements) this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(sql, cached);
    }
    return cached;
  }

  /** The database as Kysely's SQLite dialect sees it, preparing through this cache. */
  forKysely(): SqliteDatabase {
    return { close: () => this.database.close(), prepare: (sql) => this.prepare(sql) };
  }
}
