// The PostgreSQL back end: the same contract suite as SQLite (each test on a database of its own in the
// run's throwaway cluster), then what only a shared database has to prove: several stores (instances) on
// one database, the pool size, and start-up errors an operator can act on.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { freePort } from '../support/free-port.js';
import { freshDatabase, runPostgres } from '../support/postgres.js';
import { useInstances } from '../support/postgres-instances.js';
import { aConnectSession, aCredential, aFlow, anEndUser, aSave, at } from './contract/fixtures.js';
import { describeStoreContract } from './store-contract.js';
import { saveConnection } from '../support/store-changes.js';

/** A store on a database of its own (keeping events, unless told not to); closing the store drops the database. */
async function aFreshStore(options: { events?: boolean } = {}): Promise<Store> {
  const database = await freshDatabase();
  const store = await openStore(database.url, { poolSize: 4, events: true, ...options });
  return {
    ...store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}

describeStoreContract('PostgreSQL', aFreshStore);

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Migration names as kysely_migration lists them, each once or (a bug) several times. */
async function appliedMigrations(url: string): Promise<string[]> {
  return (await query<{ name: string }>(url, 'select name from kysely_migration order by name')).map((row) => row.name);
}

/** What one store alone applies to an empty database: every migration, once. */
async function migrationsOfAFreshDatabase(): Promise<string[]> {
  const database = await freshDatabase();
  try {
    await (await openStore(database.url)).close();
    const names = await appliedMigrations(database.url);
    expect(names).toContain('2026_11_29_001_initial');
    expect(new Set(names).size).toBe(names.length);
    return names;
  } finally {
    await database.drop();
  }
}

describe('PostgreSQL store, several instances on one database', () => {
  const instances = useInstances();

  it('migrates a fresh database once when four instances start on it at the same time', async () => {
    const stores = await instances.open(4);
    const { url } = await instances.database();
    expect(await appliedMigrations(url)).toEqual(await migrationsOfAFreshDatabase());
    const saved = await saveConnection(stores[0]!, aSave(anEndUser(), aCredential()));
    expect(await stores[3]!.getConnection(saved.connection.id)).toEqual(saved.connection);
  });

  it('reopens a migrated database without applying a migration twice, keeping its rows', async () => {
    const [first] = await instances.open(1);
    const saved = await saveConnection(first!, aSave(anEndUser(), aCredential()));
    const { url } = await instances.database();
    const applied = await appliedMigrations(url);
    const [second] = await instances.open(1);
    expect(await second!.getConnection(saved.connection.id)).toEqual(saved.connection);
    expect(await appliedMigrations(url)).toEqual(applied);
  });

  it('lets exactly one of 20 concurrent claims of one launch code, spread over two instances, win', async () => {
    const [a, b] = await instances.open(2);
    const session = aConnectSession();
    await a!.createConnectSession(session);
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a! : b!).claimLaunch(session.launchHash, at(1 + i / 100))));
    expect(claims.filter((claim) => claim.outcome === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.outcome === 'used')).toHaveLength(19);
  });

  it('lets exactly one of 20 concurrent consumptions of one state, spread over two instances, win', async () => {
    const [a, b] = await instances.open(2);
    const session = aConnectSession();
    await a!.createConnectSession(session);
    const flow = aFlow(session.id);
    await a!.createFlow(flow);
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? b! : a!).consumeFlow(flow.stateHash, at(3 + i / 100))));
    expect(claims.filter((claim) => claim.outcome === 'consumed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.outcome === 'reused')).toHaveLength(19);
  });

  it('saves one connection when ten first saves for one end user run at once on two instances', async () => {
    const [a, b] = await instances.open(2);
    const endUserId = anEndUser();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => saveConnection(i % 2 === 0 ? a! : b!, aSave(endUserId, aCredential()))));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.connection.id)).size).toBe(1);
    expect(await a!.listConnections({ endUserId, limit: 20 })).toHaveLength(1);
  });

  it('keeps at most DATABASE_POOL_SIZE connections per instance, queueing the rest', async () => {
    const [store] = await instances.open(1, 2);
    const database = await instances.database();
    // The superuser holds a lock every read of connections waits for, so the store's reads pile up.
    const blocker = new pg.Client({ connectionString: runPostgres().adminUrl.replace(/\/postgres$/, `/${database.name}`) });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table connections in access exclusive mode');
      const reads = Promise.all(Array.from({ length: 8 }, () => store!.getConnection(randomUUID())));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const sessions = await blocker.query<{ count: number }>(
        "select count(*)::int as count from pg_stat_activity where datname = current_database() and application_name = 'zoom-connect-gateway'",
      );
      expect(sessions.rows[0]!.count).toBe(2);
      await blocker.query('commit');
      expect(await reads).toEqual(Array.from({ length: 8 }, () => undefined));
    } finally {
      await blocker.end();
    }
  });
});

describe('openStore on PostgreSQL: start-up errors', () => {
  const withUrl = (change: (url: URL) => void): string => {
    const url = new URL(runPostgres().url);
    change(url);
    return url.href;
  };
  const failure = (url: string) =>
    openStore(url).then(
      async (store) => {
        await store.close();
        throw new Error('openStore succeeded');
      },
      (error: unknown) => error as Error,
    );
  const password = () => decodeURIComponent(new URL(runPostgres().url).password);

  it('opens postgresql:// as well as postgres://', async () => {
    const database = await freshDatabase();
    try {
      const store = await openStore(database.url.replace(/^postgres:/, 'postgresql:'));
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    } finally {
      await database.drop();
    }
  });

  it('says nothing accepts connections at the host and port when no server listens there', async () => {
    const port = await freePort();
    const error = await failure(withUrl((url) => (url.port = String(port))));
    expect(error.message).toMatch(
      new RegExp(`^DATABASE_URL \\(postgres://gateway@127\\.0\\.0\\.1:${port}/gateway\\): nothing accepts connections at 127\\.0\\.0\\.1:${port}`),
    );
    expect(error.message).not.toContain(password());
  });

  it('says the password was refused, naming the user but not the password', async () => {
    const error = await failure(withUrl((url) => (url.password = 'not-the-password')));
    expect(error.message).toMatch(
      /^DATABASE_URL \(postgres:\/\/gateway@127\.0\.0\.1:\d+\/gateway\): PostgreSQL refused the password of user "gateway"/,
    );
    expect(error.message).not.toContain('not-the-password');
  });

  it('says a URL without a password gets asked for one', async () => {
    const error = await failure(withUrl((url) => (url.password = '')));
    expect(error.message).toMatch(/asks user "gateway" for a password and DATABASE_URL has none/);
  });

  it('says the database does not exist, and how to create it', async () => {
    const error = await failure(withUrl((url) => (url.pathname = '/no_such_database')));
    expect(error.message).toMatch(/the database "no_such_database" does not exist; create it first \(createdb -O gateway no_such_database\)/);
    expect(error.message).not.toContain(password());
  });

  it('says the migration failed, and why, when the role may not create tables in the database', async () => {
    const name = `not_owned_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: runPostgres().adminUrl });
    await admin.connect();
    try {
      // Owned by the superuser: since PostgreSQL 15 others may connect but not create in its public schema.
      await admin.query(`create database ${name}`);
      const error = await failure(withUrl((url) => (url.pathname = `/${name}`)));
      expect(error.message).toMatch(/^Database migration .*failed: permission denied for schema public/);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('refuses a URL it cannot parse without repeating it', async () => {
    const error = await failure('postgres://gateway:s3cret@[not-a-host/gateway');
    expect(error.message).toBe('DATABASE_URL is not a valid PostgreSQL URL; expected postgres://user:password@host:port/database.');
  });

  it('names the scheme, not the URL, for a database it does not know', async () => {
    const error = await failure('mysql://gateway:s3cret@db.internal/gateway');
    expect(error.message).toMatch(/DATABASE_URL must be sqlite:<path>.*postgres:\/\/user:password@host:port\/database; got the scheme "mysql:"/);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('DATABASE_POOL_SIZE', () => {
  // A production configuration: demo mode never uses PostgreSQL (config.ts refuses it there).
  const env = {
    RECALL_API_KEY: 'recall-api-key',
    RECALL_ZOOM_OAUTH_APP_ID: '9a03bb66-31f6-4272-8074-38c7c675ecb0',
    ZOOM_CLIENT_ID: 'zoom-client-id',
    ZOOM_REDIRECT_URI: 'https://gateway.example.com/v1/connect/zoom/callback',
    GATEWAY_API_KEYS: 'gateway-api-key-0123456789',
    PUBLIC_URL: 'https://gateway.example.com',
    DATABASE_URL: 'postgres://gateway:pw@db.internal/gateway',
  };

  it('defaults to 10 connections per instance', () => {
    expect(loadConfig(env).databasePoolSize).toBe(10);
  });

  it('takes a count from 1 to 1000', () => {
    expect(loadConfig({ ...env, DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
  });

  it('refuses zero, a fraction or a word, naming the variable', () => {
    for (const value of ['0', '2.5', 'many', '1001']) {
      expect(() => loadConfig({ ...env, DATABASE_POOL_SIZE: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...env, DATABASE_POOL_SIZE: value })).toThrow(/DATABASE_POOL_SIZE must be an integer from 1 to 1000/);
    }
  });
});
