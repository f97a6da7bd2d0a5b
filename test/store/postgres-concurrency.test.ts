// PostgreSQL without a global lock: several instances (stores) on one database write side by side, and what
// one-writer-at-a-time used to guarantee still holds. Where an interleaving matters, a session of the test's
// own holds a row lock or an open transaction, so the race happens every time instead of now and then.
import { Kysely, Migrator } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations.js';
import { appendEvents } from '../../src/store/outbox.js';
import { GatewayPostgresDialect } from '../../src/store/postgres-dialect.js';
import type { Database } from '../../src/store/schema.js';
import { CredentialDeletedError, type OutboxEvent, type Store } from '../../src/store/store.js';
import { connectFailed, toApiConnection } from '../../src/events/bodies.js';
import { settledWithin, tracked, untilStoresWait, useInstances } from '../support/postgres-instances.js';
import { aCredential, anEndUser, aSave, at } from './contract/fixtures.js';
import { detachCredential, publish, recordCredentialDeleted, saveAndAnnounce, saveConnection } from '../support/store-changes.js';

const MINUTE_MS = 60_000;
const failed = (endUserId: string, code: string) => connectFailed(endUserId, null, code as 'access_denied');
/** connect.failed as the previous version recorded it (the store's record of the event, not a versioned body). */
const failedAsPreviousVersion = (endUserId: string, code: string) => ({ type: 'connect.failed', endUserId, connectionId: null, code });
const claim = (store: Store, holder: string, limit = 10) => store.claimEvents({ holder, now: at(100), leaseMs: MINUTE_MS, limit });

/** Every event in the outbox, in the order a dispatcher hands them out, each acknowledged. */
async function drain(store: Store): Promise<OutboxEvent[]> {
  const claimed: OutboxEvent[] = [];
  for (;;) {
    const batch = await claim(store, 'reader', 100);
    if (batch.length === 0) return claimed;
    for (const outbox of batch) expect(await store.markEventDelivered(outbox.id, 'reader', at(100))).toBe(true);
    claimed.push(...batch);
  }
}

interface ConnectionBody {
  type: string;
  data: { connection: ReturnType<typeof toApiConnection>; previous_zoom_user_id?: string | null };
}
const connectionOf = (body: unknown) => (body as ConnectionBody).data.connection;

describe('PostgreSQL store without a global lock', () => {
  const instances = useInstances();

  /** Deadlocks PostgreSQL broke on the database, read once every store's sessions have ended (their statistics are in). */
  async function deadlocksOnceClosed(): Promise<number> {
    await instances.closeAll();
    const session = await instances.session();
    try {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { rows } = await session.query<{ sessions: number; deadlocks: number }>(
          `select (select count(*)::int from pg_stat_activity where datname = current_database() and application_name = 'zoom-connect-gateway') as sessions,
                  (select deadlocks::int from pg_stat_database where datname = current_database()) as deadlocks`,
        );
        if (rows[0]!.sessions === 0) return rows[0]!.deadlocks;
        if (Date.now() > deadline) throw new Error('the stores sessions did not end');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await session.end();
    }
  }

  it('lets another instance write while a save waits on a row lock inside its transaction', async () => {
    const [a, b] = await instances.two();
    const waiting = anEndUser();
    await saveConnection(a, aSave(waiting, aCredential()));
    const blocker = await instances.session();
    try {
      await blocker.query('begin');
      await blocker.query('select id from connections where end_user_id = $1 for update', [waiting]);
      const held = tracked(saveAndAnnounce(a, aSave(waiting, aCredential(), { now: at(1) })));
      await untilStoresWait(blocker, 1, held.settled);
      expect(held.settled()).toBe(false);

      // With one lock for every transaction, each of these would queue behind the save that waits.
      const other = saveAndAnnounce(b, aSave(anEndUser(), aCredential()));
      expect(await settledWithin(other, 10_000)).toBe(true);
      expect((await other).created).toBe(true);
      const failure = publish(b, failed(anEndUser(), 'access_denied'), at(1));
      expect(await settledWithin(failure, 10_000)).toBe(true);
      await failure;

      await blocker.query('commit');
      expect((await held.promise).connection.updatedAt).toBe(at(1));
    } finally {
      await blocker.end();
    }
  });

  it('keeps one row when 20 first saves of one end user run at once on two instances, each later save reauthorizing it in turn', async () => {
    const [a, b] = await instances.two();
    const endUserId = anEndUser();
    const credentials = Array.from({ length: 20 }, () => aCredential());
    const results = await Promise.all(
      credentials.map((credential, i) => saveAndAnnounce(i % 2 ? a : b, aSave(endUserId, credential, { now: at(i) }))),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.connection.id)).size).toBe(1);
    expect(await a.listConnections({ endUserId, limit: 50 })).toHaveLength(1);

    // In seq order the events tell the saves in commit order: each reauthorization names the Zoom user of the save before.
    const events = (await drain(a)).map((outbox) => outbox.body as ConnectionBody);
    expect(events.map((event) => event.type)).toEqual(['connection.created', ...Array<string>(19).fill('connection.reauthorized')]);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]).toMatchObject({ data: { previous_zoom_user_id: connectionOf(events[i - 1]!).zoom_user_id } });
    }
    const last = connectionOf(events.at(-1)!);
    expect(toApiConnection((await a.getConnectionByEndUser(endUserId))!)).toEqual(last);
    // Every credential but the last was replaced exactly once, and each replaced one was left unused.
    const replaced = results.flatMap((result) => (result.previousCredentialId ? [result.previousCredentialId] : []));
    expect(replaced.sort()).toEqual(
      credentials
        .map((credential) => credential.id)
        .filter((id) => id !== last.recall_credential_id)
        .sort(),
    );
    expect(results.every((result) => !result.previousCredentialStillUsed)).toBe(true);
  });

  it('moves connections off a replaced shared credential from eight concurrent saves on two instances without a deadlock', async () => {
    const [a, b] = await instances.two();
    const shared = aCredential({ accountId: 'zoom-account-acme' });
    const users = Array.from({ length: 8 }, () => anEndUser());
    for (const endUserId of users) await saveConnection(a, aSave(endUserId, shared));

    // Each reconnects at once with a new credential that replaces the shared one (a legacy conflict resolved).
    const results = await Promise.allSettled(
      users.map((endUserId, i) =>
        saveAndAnnounce(i % 2 ? a : b, aSave(endUserId, aCredential(), { replacesCredentialIds: [shared.id], now: at(1) })),
      ),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await a.countCredentialUsers(shared.id)).toBe(0);
    expect(await a.listConnections({ status: 'connected', limit: 50 })).toHaveLength(8);
    // Row locks taken in one order: the saves queued on each other instead of PostgreSQL breaking deadlocks.
    expect(await deadlocksOnceClosed()).toBe(0);
  });

  it('tells exactly one of eight end users leaving a shared credential at once that nobody uses it any more, every time', async () => {
    const [a, b] = await instances.two();
    for (let round = 0; round < 4; round++) {
      const shared = aCredential({ accountId: `zoom-account-${round}` });
      const users = Array.from({ length: 8 }, () => anEndUser());
      for (const endUserId of users) await saveConnection(a, aSave(endUserId, shared));

      const results = await Promise.all(users.map((endUserId, i) => saveConnection(i % 2 ? a : b, aSave(endUserId, aCredential(), { now: at(1) }))));
      expect(results.every((result) => result.previousCredentialId === shared.id)).toBe(true);
      // The last one to leave deletes it at Recall; had each seen the others still on it, nobody would.
      expect(results.filter((result) => !result.previousCredentialStillUsed)).toHaveLength(1);
      expect(await a.countCredentialUsers(shared.id)).toBe(0);
    }
  });

  it('runs a save again when PostgreSQL breaks a deadlock by failing it, and the save succeeds', async () => {
    const { name } = await instances.database();
    const admin = await instances.session('superuser');
    // The stores' sessions look for deadlocks after 2 s of waiting, the test's own after a minute: the store loses.
    await admin.query(`alter database ${name} set deadlock_timeout = '2s'`);
    await admin.query(`set deadlock_timeout = '60s'`);
    const a = (await instances.open(1))[0]!;
    const shared = aCredential();
    const [first, second] = [anEndUser(), anEndUser()];
    const lower = (await saveConnection(a, aSave(first, shared, { newConnectionId: `conn-a-${first}` }))).connection;
    const higher = (await saveConnection(a, aSave(second, shared, { newConnectionId: `conn-b-${second}` }))).connection;
    try {
      await admin.query('begin');
      await admin.query('select id from connections where id = $1 for update', [higher.id]);
      // The save locks its own row (the lower id), then waits for the higher one, which the test holds...
      const replacement = aCredential();
      const save = tracked(saveConnection(a, aSave(first, replacement, { replacesCredentialIds: [shared.id], now: at(1) })));
      await untilStoresWait(admin, 1, save.settled);
      // ...and the test now waits for the lower one: a cycle, which PostgreSQL breaks by failing the save.
      await admin.query('select id from connections where id = $1 for update', [lower.id]);
      await admin.query('commit');

      const saved = await save.promise;
      expect(saved.connection).toMatchObject({ id: lower.id, recallCredentialId: replacement.id });
      expect(await a.getConnection(higher.id)).toMatchObject({ recallCredentialId: replacement.id });
    } finally {
      await admin.end();
    }
    expect(await deadlocksOnceClosed()).toBe(1);
  });

  it('makes a tombstone wait for a save in flight onto its credential, so the detach after it catches the saved connection', async () => {
    const [a, b] = await instances.two();
    const endUserId = anEndUser();
    await saveConnection(a, aSave(endUserId, aCredential()));
    const deleted = aCredential();
    const blocker = await instances.session();
    try {
      await blocker.query('begin');
      await blocker.query('select id from connections where end_user_id = $1 for update', [endUserId]);
      // The save has found no tombstone and now waits for the end user's row...
      const save = tracked(saveConnection(a, aSave(endUserId, deleted, { now: at(1) })));
      await untilStoresWait(blocker, 1, save.settled);
      // ...when another flow deletes that credential at Recall: tombstone, then detach.
      const tombstone = tracked(recordCredentialDeleted(b, deleted.id, at(2)).then(() => detachCredential(b, deleted.id, at(2))));
      await untilStoresWait(blocker, 2, tombstone.settled);
      await blocker.query('commit');

      expect((await save.promise).connection.recallCredentialId).toBe(deleted.id);
      expect(await tombstone.promise).toBe(1);
      expect(await a.getConnectionByEndUser(endUserId)).toMatchObject({ recallCredentialId: null, status: 'needs_reauth' });
      await expect(saveConnection(a, aSave(endUserId, deleted, { now: at(3) }))).rejects.toThrow(CredentialDeletedError);
    } finally {
      await blocker.end();
    }
  });

  it('claims the next due events at once while another dispatcher claim holds the first ones', async () => {
    const [a, b] = await instances.two();
    for (let i = 0; i < 10; i++) await publish(a, failed(anEndUser(), 'access_denied'), at(0));
    const dispatcher = await instances.session();
    try {
      await dispatcher.query('begin');
      const { rows } = await dispatcher.query<{ id: string }>('select id from outbox_events order by seq limit 5 for update');
      const claiming = b.claimEvents({ holder: 'b', now: at(1), leaseMs: MINUTE_MS, limit: 5 });
      expect(await settledWithin(claiming, 10_000)).toBe(true);
      const claimed = await claiming;
      expect(claimed).toHaveLength(5);
      expect(claimed.filter((outbox) => rows.some((row) => row.id === outbox.id))).toEqual([]);
    } finally {
      await dispatcher.end();
    }
  });

  it('gives two dispatchers on two instances a full batch each in every round, never the same event', async () => {
    const [a, b] = await instances.two();
    for (let i = 0; i < 40; i++) await publish(a, failed(anEndUser(), 'access_denied'), at(0));
    const seen: string[] = [];
    for (let round = 0; round < 4; round++) {
      const batches = await Promise.all([claim(a, 'a', 5), claim(b, 'b', 5)]);
      expect(batches.map((batch) => batch.length)).toEqual([5, 5]);
      for (const [holder, store, batch] of [
        ['a', a, batches[0]],
        ['b', b, batches[1]],
      ] as const) {
        for (const outbox of batch) expect(await store.markEventDelivered(outbox.id, holder, at(100))).toBe(true);
        seen.push(...batch.map((outbox) => outbox.id));
      }
    }
    expect(new Set(seen).size).toBe(40);
    expect(await a.outboxBacklog()).toEqual({ pending: 0, oldestCreatedAt: null });
  });

  it('numbers an end user event after the one another instance has written in a transaction still open, and delivers it after', async () => {
    const [a, b] = await instances.two();
    const endUserId = anEndUser();
    const { url } = await instances.database();
    // Another instance, in the middle of a transaction that has appended the end user's first event.
    const other = new Kysely<Database>({ dialect: new GatewayPostgresDialect(new pg.Pool({ connectionString: url, max: 1 })) });
    let appended!: () => void;
    let finish!: () => void;
    const wasAppended = new Promise<void>((resolve) => (appended = resolve));
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const open = other.transaction().execute(async (trx) => {
      await appendEvents(trx, [failed(endUserId, 'first')], at(0));
      appended();
      await finished;
    });
    try {
      await wasAppended;
      const second = tracked(publish(b, failed(endUserId, 'second'), at(0)));
      const session = await instances.session();
      try {
        await untilStoresWait(session, 1, second.settled);
      } finally {
        await session.end();
      }
      // Nothing of the end user's is due: the first event is not committed and the second waits behind it.
      expect(await claim(a, 'a')).toEqual([]);
      finish();
      await open;
      await second.promise;
      const delivered = await drain(a);
      expect(delivered.map((outbox) => outbox.body)).toEqual([failed(endUserId, 'first').body, failed(endUserId, 'second').body]);
      expect(delivered[0]!.seq).toBeLessThan(delivered[1]!.seq);
    } finally {
      finish();
      await open.catch(() => undefined);
      await other.destroy();
    }
  });

  it('numbers new events after those of the previous version, and apart from an instance of it still running', async () => {
    const { url } = await instances.database();
    const previous = new Kysely<Database>({ dialect: new GatewayPostgresDialect(new pg.Pool({ connectionString: url, max: 1 })) });
    const session = await instances.session();
    // The previous version's writes: numbered from the counter row, under its global lock.
    const writeAsPreviousVersion = async (code: string) =>
      (
        await session.query<{ seq: number }>(
          `with n as (update sequences set value = value + 1 where name = 'outbox_events' returning value)
           insert into outbox_events (id, seq, type, ordering_key, payload, created_at, status, attempts, next_attempt_at)
           select $1, value, 'connect.failed', $2, $3, $4, 'pending', 0, $4 from n returning seq`,
          [`evt_previous_${code}`, code, JSON.stringify(failedAsPreviousVersion(code, code)), at(0)],
        )
      ).rows[0]!.seq;
    try {
      const shipped = Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= '2026_12_13_003_deleted_credentials'));
      expect((await new Migrator({ db: previous, provider: { getMigrations: async () => shipped } }).migrateToLatest()).error).toBeUndefined();
      const before = [await writeAsPreviousVersion('old-1'), await writeAsPreviousVersion('old-2')];

      const store = (await instances.open(1))[0]!;
      await publish(store, failed('new-1', 'new-1'), at(0));
      const during = await writeAsPreviousVersion('old-3');
      const delivered = await drain(store);
      expect(delivered.map((outbox) => outbox.body)).toHaveLength(4);
      const [newest] = delivered.filter((outbox) => outbox.id.startsWith('evt_') && !outbox.id.startsWith('evt_previous_'));
      expect(newest!.seq).toBeGreaterThan(Math.max(...before, during));
    } finally {
      await session.end();
      await previous.destroy();
    }
  });
});
