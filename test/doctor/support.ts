// What the doctor's tests share: a configuration that passes every check, with a migrated SQLite database of
// its own, and a look at that database to prove the doctor left it as it was.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { baseEnv } from '../support/gateway.js';

/** A folder for the file's databases, removed after the file's tests. */
export function useDataDir(): () => string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zcg-doctor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** A SQLite database file with every migration applied, as a gateway leaves it. */
export async function migratedSqlite(dir: string, name = `${crypto.randomUUID()}.db`): Promise<string> {
  const file = path.join(dir, name);
  await (await openStore(`sqlite:${file}`)).close();
  return file;
}

/** The variables of a production set-up (baseEnv's), on this database. */
export function goodEnv(recallUrl: string, databaseFile: string): Record<string, string> {
  return { ...baseEnv(recallUrl), DATABASE_URL: `sqlite:${databaseFile}` };
}

/**
 * The database file's contents, to compare before and after the doctor. (Reading a WAL database read-only makes
 * SQLite create its -shm and an empty -wal beside it, as any reader does: the database itself is unchanged.)
 */
export function fingerprint(databaseFile: string): string {
  return createHash('sha256').update(readFileSync(databaseFile)).digest('hex');
}
