// Several gateway instances (stores, each with its own pool) on one PostgreSQL database, and what a test of
// their concurrency needs besides: sessions of its own on that database, and a way to see a store wait on a lock.
import pg from 'pg';
import { afterEach } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, runPostgres, type FreshDatabase } from './postgres.js';

/** Several stores on one fresh database (created on first use); all closed and the database dropped after each test. */
export function useInstances() {
  const opened: Store[] = [];
  let database: FreshDatabase | undefined;
  afterEach(async () => {
    await closeAll();
    await database?.drop();
    database = undefined;
  });
  const closeAll = () => Promise.all(opened.splice(0).map((store) => store.close()));
  return {
    async database(): Promise<FreshDatabase> {
      database ??= await freshDatabase();
      return database;
    },
    /** Stores that keep events (as with WEBHOOK_URL set). */
    async open(count: number, poolSize = 4): Promise<Store[]> {
      const { url } = await this.database();
      const stores = await Promise.all(Array.from({ length: count }, () => openStore(url, { poolSize, events: true })));
      opened.push(...stores);
      return stores;
    },
    /** Two instances on the database. */
    async two(): Promise<[Store, Store]> {
      const [a, b] = await this.open(2);
      return [a!, b!];
    },
    /** Closes every store opened so far (their database sessions end). */
    closeAll: async () => {
      await closeAll();
    },
    /** A session of its own on the database, outside every store: as the application role, or as the superuser. */
    async session(as: 'application' | 'superuser' = 'application'): Promise<pg.Client> {
      const { url, name } = await this.database();
      const connectionString = as === 'application' ? url : runPostgres().adminUrl.replace(/\/postgres$/, `/${name}`);
      const client = new pg.Client({ connectionString });
      await client.connect();
      return client;
    },
  };
}

/** How many of the stores' database sessions wait on a lock right now (pg_stat_activity). */
export async function storeSessionsWaitingOnLocks(session: pg.Client): Promise<number> {
  const { rows } = await session.query<{ count: number }>(
    "select count(*)::int as count from pg_stat_activity where datname = current_database() and application_name = 'zoom-connect-gateway' and wait_event_type = 'Lock'",
  );
  return rows[0]!.count;
}

/**
 * Resolves once `count` store sessions wait on a lock, or `settled()` says there is nothing left to wait for
 * (the work did not block: the test's assertions then say what went wrong). Bounded, never a silent pass.
 */
export async function untilStoresWait(session: pg.Client, count: number, settled: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!settled() && (await storeSessionsWaitingOnLocks(session)) < count) {
    if (Date.now() > deadline) throw new Error(`${count} store sessions never waited on a lock`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `promise` has settled by the time `within` ms have passed (a blocked write stays pending). */
export async function settledWithin(promise: Promise<unknown>, within: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), within)));
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise and what it came to, read without awaiting it. */
export function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => done };
}
