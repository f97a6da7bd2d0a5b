// The one place a store transaction is run again: after PostgreSQL failed it with a deadlock (40P01) or a
// serialization failure (40001), from the start, a bounded number of times, and never after any other error.
// (test/store/postgres-concurrency.test.ts makes PostgreSQL break a real deadlock.)
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { GatewaySqliteDialect } from '../../src/store/sqlite-dialect.js';
import { CredentialDeletedError } from '../../src/store/store.js';
import { inTransaction, maxTransactionAttempts } from '../../src/store/transactions.js';

const conflict = (code: string) => Object.assign(new Error(`conflict ${code}`), { code });

describe('inTransaction', () => {
  let db: Kysely<Database>;
  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new GatewaySqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateToLatest(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  /** Writes a tombstone, then fails with `failures[run]` while there is one. */
  function workFailingWith(failures: Error[]) {
    let runs = 0;
    const work = async (trx: Parameters<Parameters<typeof inTransaction>[1]>[0]) => {
      const run = runs++;
      await trx
        .insertInto('deleted_credentials')
        .values({ id: `cred-${run}`, deleted_at: 'now' })
        .execute();
      if (run < failures.length) throw failures[run];
      return run;
    };
    return { work, runs: () => runs };
  }
  const tombstones = async () => (await db.selectFrom('deleted_credentials').select('id').orderBy('id').execute()).map((row) => row.id);

  it('runs the work again after a deadlock and a serialization failure, keeping only the last run writes', async () => {
    const { work, runs } = workFailingWith([conflict('40P01'), conflict('40001')]);
    expect(await inTransaction(db, work)).toBe(2);
    expect(runs()).toBe(3);
    expect(await tombstones()).toEqual(['cred-2']);
  });

  it(`gives up after ${maxTransactionAttempts} runs, with the last failure`, async () => {
    const failures = Array.from({ length: maxTransactionAttempts }, (_, i) => conflict(i % 2 ? '40001' : '40P01'));
    const { work, runs } = workFailingWith(failures);
    await expect(inTransaction(db, work)).rejects.toBe(failures.at(-1));
    expect(runs()).toBe(maxTransactionAttempts);
    expect(await tombstones()).toEqual([]);
  });

  it('never runs the work again after any other failure', async () => {
    for (const failure of [new CredentialDeletedError('cred-x'), conflict('23505'), new Error('no code')]) {
      const { work, runs } = workFailingWith([failure]);
      await expect(inTransaction(db, work)).rejects.toBe(failure);
      expect(runs()).toBe(1);
    }
    expect(await tombstones()).toEqual([]);
  });
});
