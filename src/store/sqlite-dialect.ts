// Kysely's SQLite dialect, with transactions that suit a file more than one process may open, and the connection
// guarded by the lock direct statements take too (sqlite-direct.ts).

import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import { ConnectionLock } from './sqlite-direct.js';

export class GatewaySqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #lock: ConnectionLock;

  /** `lock`: the one the store's direct statements take too (sqlite.ts); a dialect of its own otherwise. */
  constructor(config: SqliteDialectConfig, lock = new ConnectionLock()) {
    super(config);
    this.#config = config;
    this.#lock = lock;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config, this.#lock);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Every transaction here writes. A plain BEGIN takes the write lock only at the first write, and if another
 * connection wrote since this one's first read, SQLite fails with SQLITE_BUSY at once, without waiting on
 * busy_timeout. BEGIN IMMEDIATE takes the write lock up front, where busy_timeout applies.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  readonly #lock: ConnectionLock;

  constructor(config: SqliteDialectConfig, lock: ConnectionLock) {
    super(config);
    this.#lock = lock;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock.acquire();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.#lock.release();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does roll back CREATE TABLE, but Kysely's adapter says otherwise, so its Migrator would run each
 * migration outside a transaction: a crash half-way would leave tables that make the next start fail. Saying
 * yes runs every pending migration in one BEGIN IMMEDIATE, which also makes a second process starting at the
 * same time wait, then find the migrations applied.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
