import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { aCredential, anEndUser, aSave } from './contract/fixtures.js';
import { describeStoreContract } from './store-contract.js';
import { saveConnection } from '../support/store-changes.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'zoom-connect-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A database file in a folder that does not exist yet, unique to the caller. */
function aDatabaseFile(): string {
  return join(root, randomUUID(), 'data', 'gateway.db');
}

// The contract's stores keep events (a test asks for one without, to prove it keeps none).
describeStoreContract('SQLite in memory', (options) => openStore('sqlite::memory:', { events: true, ...options }));
describeStoreContract('SQLite file', (options) => openStore(`sqlite:${aDatabaseFile()}`, { events: true, ...options }));

describe('SQLite store', () => {
  it('creates the parent folder of the database file', async () => {
    const file = aDatabaseFile();
    const store = await openStore(`sqlite:${file}`);
    await store.close();
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('keeps the database file in WAL mode', async () => {
    const file = aDatabaseFile();
    await (await openStore(`sqlite:${file}`)).close();
    const sqlite = new BetterSqlite3(file, { readonly: true });
    try {
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      sqlite.close();
    }
  });

  it('resolves a relative path against the working directory', async () => {
    const folder = join(root, randomUUID());
    await mkdir(folder);
    const previous = process.cwd();
    process.chdir(folder);
    try {
      await (await openStore('sqlite:./data/gateway.db')).close();
    } finally {
      process.chdir(previous);
    }
    expect((await stat(join(folder, 'data', 'gateway.db'))).isFile()).toBe(true);
  });

  it('reopens an existing file without applying a migration twice, keeping its rows', async () => {
    const file = aDatabaseFile();
    const first = await openStore(`sqlite:${file}`);
    const saved = await saveConnection(first, aSave(anEndUser(), aCredential()));
    await first.close();

    const reopened = await openStore(`sqlite:${file}`);
    expect(await reopened.getConnection(saved.connection.id)).toEqual(saved.connection);
    await reopened.close();

    const sqlite = new BetterSqlite3(file, { readonly: true });
    try {
      const applied = sqlite.prepare('select name from kysely_migration').all();
      expect(applied).toEqual([
        { name: '2026_11_29_001_initial' },
        { name: '2026_12_06_002_outbox_and_leases' },
        { name: '2026_12_13_003_deleted_credentials' },
        { name: '2026_12_20_004_flow_outcomes' },
        { name: '2026_12_20_005a_reauth_reason' },
        { name: '2026_12_20_005b_shared_budgets_and_positions' },
        { name: '2026_12_20_006_concurrent_outbox_order' },
        { name: '2026_12_27_007_credential_lifecycle' },
      ]);
    } finally {
      sqlite.close();
    }
  });

  it('names the migration that failed and leaves none of it behind', async () => {
    const file = aDatabaseFile();
    await mkdir(dirname(file), { recursive: true });
    const squatter = new BetterSqlite3(file);
    squatter.exec('create table connections (anything text)');
    squatter.close();

    await expect(openStore(`sqlite:${file}`)).rejects.toThrow(/Database migration 2026_11_29_001_initial failed/);
    const sqlite = new BetterSqlite3(file, { readonly: true });
    try {
      const tables = sqlite.prepare("select name from sqlite_master where name = 'connect_sessions'").all();
      expect(tables).toEqual([]);
    } finally {
      sqlite.close();
    }
  });
});

describe('openStore', () => {
  it('rejects a MySQL URL with a message naming DATABASE_URL and the accepted forms', async () => {
    await expect(openStore('mysql://gateway:s3cret@db.internal/gateway')).rejects.toThrow(
      /DATABASE_URL must be sqlite:<path>.*sqlite::memory:.*postgres:\/\//,
    );
  });

  it('rejects a MySQL URL without repeating its password', async () => {
    const error = await openStore('mysql://gateway:s3cret@db.internal/gateway').catch((e: unknown) => e);
    expect(String(error)).not.toContain('s3cret');
  });

  it('rejects sqlite: without a path', async () => {
    await expect(openStore('sqlite:')).rejects.toThrow(/DATABASE_URL/);
  });
});
