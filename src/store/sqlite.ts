// The embedded back end: one SQLite file through better-sqlite3, the default for a single gateway process.

import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { kyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import { GatewaySqliteDialect } from './sqlite-dialect.js';
import type { Store } from './store.js';
import type { UnitOfWorkOptions } from './unit-of-work.js';

/**
 * Opens (creating if needed) the SQLite database at `filename`, or `:memory:`, and migrates it to the latest
 * schema. With `events`, the events the domain publishes are kept in the outbox.
 */
export async function createSqliteStore(filename: string, options: UnitOfWorkOptions = { events: false }): Promise<Store> {
  const sqlite = new BetterSqlite3(filename);
  // WAL lets readers (readyz, listings) run while a callback writes; busy_timeout makes a second process on
  // the same file wait for the lock instead of failing; SQLite leaves foreign keys off unless asked.
  sqlite.pragma('journal_mode = WAL');
  // With WAL, NORMAL syncs at checkpoints instead of every commit: a process crash loses nothing committed (only
  // a power loss can drop the last commits), and a launch or callback write no longer waits for an fsync.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');

  const db = new Kysely<Database>({ dialect: new GatewaySqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return kyselyStore(
    db,
    async () => {
      await db.destroy();
      // Kysely closes the database as it is destroyed; this only makes sure, whatever Kysely does in future.
      if (sqlite.open) sqlite.close();
    },
    options,
  );
}
