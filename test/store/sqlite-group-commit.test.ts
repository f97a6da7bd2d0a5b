// The group commit's failures (sqlite-group-commit.ts), on a real SQLite database: SQLite itself rolls a whole
// transaction back on a full disk or an I/O error, which a write here stands in for by ending the transaction.
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/sqlite-group-commit.js';
import { ConnectionLock } from '../../src/store/sqlite-direct.js';
import { StatementCache } from '../../src/store/sqlite-statements.js';

let database: BetterSqlite3.Database;
let writes: GroupCommit;
const insert = (id: string) => () => database.prepare('insert into rows (id) values (?)').run(id).changes;
const stored = () => database.prepare('select id from rows order by id').pluck().all();

beforeEach(() => {
  database = new BetterSqlite3(':memory:');
  database.exec('create table rows (id text primary key)');
  writes = new GroupCommit(new StatementCache(database), new ConnectionLock());
});
afterEach(() => database.close());

describe('SQLite group commit', () => {
  it('commits the writes of one turn together, and each answer comes once they are committed', async () => {
    const results = await Promise.all([writes.join(insert('a'), false), writes.join(insert('b'), true)]);
    expect(results).toEqual([1, 1]);
    expect(database.inTransaction).toBe(false);
    expect(stored()).toEqual(['a', 'b']);
  });

  it('undoes only the failed write of a group when SQLite keeps the transaction', async () => {
    const results = await Promise.allSettled([writes.join(insert('a'), true), writes.join(insert('a'), true), writes.join(insert('c'), false)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(stored()).toEqual(['a', 'c']);
  });

  it('fails every write of the group, before and after, when SQLite rolls the whole transaction back, and commits none on its own', async () => {
    const rolledBack = () => {
      database.prepare('rollback').run();
      throw new Error('database or disk is full');
    };
    const results = await Promise.allSettled([
      writes.join(insert('before'), false),
      writes.join(rolledBack, false),
      writes.join(insert('after'), false),
      writes.join(insert('after-unit'), true),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(stored()).toEqual([]);
    expect(database.inTransaction).toBe(false);
    // The next turn's group works again.
    await expect(writes.join(insert('next'), false)).resolves.toBe(1);
    expect(stored()).toEqual(['next']);
  });
});
