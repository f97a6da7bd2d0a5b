// Looks at a database without changing it, for `npm run doctor`: can it be reached, and which of this build's
// migrations has it applied (Kysely's own table, read with plain SQL). SQLite is opened read-only and must exist;
// PostgreSQL gets one connection and SELECTs only. Nothing is migrated: pending migrations are reported.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { migrationNames } from './migrations.js';
import { startupMessage, type PostgresTarget } from './postgres-errors.js';

export type DatabaseInspection =
  | { state: 'unreachable'; message: string }
  /** A SQLite file that is not there yet: the gateway creates it (and applies every migration) at its first start. */
  | { state: 'missing'; path: string; pending: readonly string[] }
  | {
      state: 'reachable';
      /** Migrations of this build the database has not applied yet (the gateway applies them at start-up). */
      pending: string[];
      /** Migrations the database has that this build does not know: a newer gateway migrated it. */
      unknown: string[];
    };

const MIGRATION_TABLE = 'kysely_migration';

export async function inspectDatabase(databaseUrl: string): Promise<DatabaseInspection> {
  if (databaseUrl.startsWith('sqlite:')) return inspectSqlite(databaseUrl.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return inspectPostgres(databaseUrl);
  return { state: 'unreachable', message: 'DATABASE_URL is neither sqlite:<path> nor postgres://...' };
}

function inspectSqlite(path: string): DatabaseInspection {
  if (path === ':memory:') return { state: 'missing', path, pending: migrationNames };
  const filename = resolve(process.cwd(), path);
  if (!existsSync(filename)) return { state: 'missing', path: filename, pending: migrationNames };
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(filename, { readonly: true, fileMustExist: true });
    const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(MIGRATION_TABLE);
    const applied = table ? (sqlite.prepare(`select name from ${MIGRATION_TABLE}`).all() as { name: string }[]).map((row) => row.name) : [];
    return compare(applied);
  } catch (error) {
    return { state: 'unreachable', message: `DATABASE_URL (sqlite:${filename}): ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    sqlite?.close();
  }
}

async function inspectPostgres(databaseUrl: string): Promise<DatabaseInspection> {
  const target = targetOf(databaseUrl);
  if (!target) return { state: 'unreachable', message: 'DATABASE_URL is not a valid PostgreSQL URL.' };
  const connectTimeoutMs = 5_000;
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'zoom-connect-gateway-doctor',
  });
  // A connection the server ends would otherwise raise an unheard 'error'.
  client.on('error', () => {});
  try {
    await client.connect();
    const exists = await client.query<{ found: string | null }>('select to_regclass($1) as found', [MIGRATION_TABLE]);
    const applied = exists.rows[0]?.found
      ? (await client.query<{ name: string }>(`select name from ${MIGRATION_TABLE}`)).rows.map((row) => row.name)
      : [];
    return compare(applied);
  } catch (error) {
    return { state: 'unreachable', message: startupMessage(error, target, connectTimeoutMs) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function compare(applied: string[]): DatabaseInspection {
  const done = new Set(applied);
  const known = new Set(migrationNames);
  return {
    state: 'reachable',
    pending: migrationNames.filter((name) => !done.has(name)),
    unknown: applied.filter((name) => !known.has(name)).sort(),
  };
}

/** The parts of DATABASE_URL a message may name (the password only to be redacted). */
function targetOf(databaseUrl: string): PostgresTarget | undefined {
  try {
    const url = new URL(databaseUrl);
    const user = decodeURIComponent(url.username);
    return {
      user: user || '(the operating system user)',
      password: decodeURIComponent(url.password),
      host: url.hostname || 'localhost',
      port: url.port || '5432',
      database: decodeURIComponent(url.pathname.slice(1)) || user,
    };
  } catch {
    return undefined;
  }
}
