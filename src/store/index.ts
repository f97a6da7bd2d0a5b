// Picks the back end from DATABASE_URL. The URL may carry a password, so no error here ever repeats it.

import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createPostgresStore } from './postgres.js';
import { createSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export type * from './store.js';

const ACCEPTED_FORMS = 'sqlite:<path> (relative to the working directory), sqlite::memory:, or postgres://user:password@host:port/database';

export interface OpenStoreOptions {
  /** PostgreSQL only: connections this instance keeps at most (DATABASE_POOL_SIZE). SQLite has one. */
  poolSize?: number;
  /**
   * Keep the events the domain publishes in the outbox, for the dispatcher to deliver: true exactly when
   * WEBHOOK_URL is set (`events: config.webhook !== null`). Decided here, once; off by default.
   */
  events?: boolean;
}

export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const events = options.events ?? false;
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(databaseUrl.slice('sqlite:'.length), events);
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return createPostgresStore(databaseUrl, { poolSize: options.poolSize, events });
  throw new Error(`DATABASE_URL must be ${ACCEPTED_FORMS}; got ${describeScheme(databaseUrl)}.`);
}

async function openSqlite(path: string, events: boolean): Promise<Store> {
  if (path === ':memory:') return createSqliteStore(':memory:', { events });
  if (path === '') throw new Error(`DATABASE_URL is sqlite: without a path; expected ${ACCEPTED_FORMS}.`);
  const filename = resolve(process.cwd(), path);
  await mkdir(dirname(filename), { recursive: true });
  return createSqliteStore(filename, { events });
}

/** Only the scheme is safe to echo back: the rest of a URL may hold credentials. */
function describeScheme(databaseUrl: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1];
  return scheme === undefined ? 'a value without a URL scheme' : `the scheme "${scheme}:"`;
}
