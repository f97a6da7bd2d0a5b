// better-sqlite3 as Kysely's SQLite dialect sees it, with its prepared statements kept. Kysely's SQLite driver
// calls `prepare(sql)` for every query it runs, and preparing (parsing and planning the SQL) cost more than
// running the statement: in a CPU profile of the launch under load, statement construction was about 7% of the
// process's time. The store's queries are a small, fixed set of SQL texts (values are always parameters), so
// statements are cached by their text; the bound keeps a query built with a varying number of values (IN lists)
// from growing the cache without end.
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** More than the store's distinct SQL texts, a few times over. */
const maxStatements = 500;

export function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        // Oldest first out: a Map iterates in insertion order.
        if (statements.size >= maxStatements) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
