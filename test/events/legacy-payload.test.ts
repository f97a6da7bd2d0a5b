// Events waiting in the outbox when the gateway is upgraded were written before bodies were versioned: their
// payload is the store's record of the event (camelCase connection record), as every gateway before migration
// 2026_12_27_007 wrote it (and as an instance of that version still running during a rolling upgrade writes it).
// They are delivered with exactly the body they would have had then. A body of a version this gateway does not
// know (a newer gateway's) is not sent in some guessed shape: the attempt fails and is retried.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator } from 'kysely';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectFailed, toApiConnection } from '../../src/events/bodies.js';
import { webhookDeliverer } from '../../src/events/delivery.js';
import { createOutboxDispatcher } from '../../src/events/dispatcher.js';
import { openStore } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { GatewaySqliteDialect } from '../../src/store/sqlite-dialect.js';
import type { Store } from '../../src/store/store.js';
import { loadSpec, schemaValidator } from '../support/spec.js';
import { publish, saveAndAnnounce } from '../support/store-changes.js';
import { aCredential, aSave } from '../store/contract/fixtures.js';
import { webhookSecret } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';

const validate = schemaValidator(loadSpec('gateway'));
const createdAt = '2026-12-01T10:00:00.000Z';

/** A connection as the store recorded it in the events of the previous version (before reauthReason existed). */
const oldRecord = {
  id: '4514327a-fb47-471b-a0b3-4f1f2300723a',
  endUserId: 'user_42',
  status: 'needs_reauth',
  recallCredentialId: 'e96244cc-23c8-43cf-b039-59b2526ab397',
  recallStatus: 'unhealthy',
  zoomUserId: '8rsd7e2S00SAsGowyy9GCQ',
  zoomAccountId: null,
  meetingSyncStatus: 'completed',
  createdAt: '2025-06-18T14:02:38.120Z',
  updatedAt: '2026-12-01T09:59:00.000Z',
  lastCheckedAt: '2026-12-01T09:59:00.000Z',
};
const apiConnection = {
  id: oldRecord.id,
  end_user_id: 'user_42',
  status: 'needs_reauth',
  recall_credential_id: oldRecord.recallCredentialId,
  recall_status: 'unhealthy',
  zoom_user_id: oldRecord.zoomUserId,
  zoom_account_id: null,
  meeting_sync_status: 'completed',
  created_at: oldRecord.createdAt,
  updated_at: oldRecord.updatedAt,
  last_checked_at: oldRecord.lastCheckedAt,
  reauth_reason: null,
};

let folder: string;
let file: string;
let store: Store | undefined;
let receiver: Receiver;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'zcg-legacy-outbox-'));
  file = join(folder, 'gateway.db');
  receiver = await startReceiver(webhookSecret);
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await receiver.close();
  await rm(folder, { recursive: true, force: true });
});

/** The database as the previous version left it: every migration but the new one, and its outbox rows. */
async function previousVersionWith(payloads: { type: string; endUserId: string; connectionId: string | null; payload: unknown }[]) {
  const previous = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '2026_12_27_007'));
  const db = new Kysely<Database>({ dialect: new GatewaySqliteDialect({ database: new BetterSqlite3(file) }) });
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => previous } }).migrateToLatest();
  expect(error).toBeUndefined();
  await db.destroy();
  // As the previous version's appendEvents wrote them: the payload is JSON.stringify(StoreEvent).
  const sqlite = new BetterSqlite3(file);
  try {
    for (const event of payloads) {
      sqlite.prepare("update sequences set value = value + 1 where name = 'outbox_events'").run();
      sqlite
        .prepare(
          `insert into outbox_events (id, seq, type, ordering_key, connection_id, payload, created_at, status, attempts, next_attempt_at)
           values (?, (select value from sequences where name = 'outbox_events'), ?, ?, ?, ?, ?, 'pending', 0, ?)`,
        )
        .run(
          `evt_${randomUUID().replaceAll('-', '')}`,
          event.type,
          event.endUserId,
          event.connectionId,
          JSON.stringify(event.payload),
          createdAt,
          createdAt,
        );
    }
  } finally {
    sqlite.close();
  }
}

function dispatcher(logs: string[] = []) {
  const log = { info: () => {}, warn: (_: object, m: string) => logs.push(m), error: (_: object, m: string) => logs.push(m) };
  return createOutboxDispatcher({
    store: store!,
    now: () => new Date(createdAt),
    log,
    deliver: webhookDeliverer({ url: receiver.url, secret: webhookSecret }, { timeoutMs: 2000 }),
    random: () => 1,
  });
}

describe('outbox rows of the previous version', () => {
  it('are delivered after the upgrade with the bodies gateway.yaml describes, in their order', async () => {
    await previousVersionWith([
      {
        type: 'connection.status_changed',
        endUserId: 'user_42',
        connectionId: oldRecord.id,
        payload: { type: 'connection.status_changed', connection: oldRecord, previousStatus: 'connected' },
      },
      {
        type: 'connection.reauthorized',
        endUserId: 'user_42',
        connectionId: oldRecord.id,
        payload: {
          type: 'connection.reauthorized',
          connection: { ...oldRecord, reauthReason: 'Failed to refresh the Zoom access token: invalid_grant' },
          identityChanged: true,
          previousZoomUserId: 'nIUvkgzzrl5eiNpANtL90A',
          previousZoomAccountId: null,
        },
      },
      {
        type: 'connection.deleted',
        endUserId: 'user_42',
        connectionId: oldRecord.id,
        payload: { type: 'connection.deleted', connection: oldRecord },
      },
      {
        type: 'connect.failed',
        endUserId: 'user_7',
        connectionId: null,
        payload: { type: 'connect.failed', endUserId: 'user_7', connectionId: null, code: 'access_denied' },
      },
    ]);
    store = await openStore(`sqlite:${file}`, { events: true });
    expect(await dispatcher().drain()).toEqual({ delivered: 4, retried: 0, failed: 0 });

    const bodies = receiver.acknowledged().map(({ id: _id, timestamp, ...rest }) => ({ timestamp, ...rest }));
    expect(bodies).toEqual([
      {
        timestamp: createdAt,
        type: 'connection.status_changed',
        data: { connection: apiConnection, previous_status: 'connected', status: 'needs_reauth' },
      },
      { timestamp: createdAt, type: 'connect.failed', data: { end_user_id: 'user_7', connection_id: null, code: 'access_denied' } },
      {
        timestamp: createdAt,
        type: 'connection.reauthorized',
        data: {
          connection: { ...apiConnection, reauth_reason: 'Failed to refresh the Zoom access token: invalid_grant' },
          identity_changed: true,
          previous_zoom_user_id: 'nIUvkgzzrl5eiNpANtL90A',
          previous_zoom_account_id: null,
        },
      },
      { timestamp: createdAt, type: 'connection.deleted', data: { connection: apiConnection } },
    ]);
    for (const delivery of receiver.deliveries) expect(validate('/components/schemas/GatewayEvent', delivery.event)).toEqual([]);
    expect(receiver.forged).toEqual([]);
  });

  it('go out before the events written after the upgrade, for each end user', async () => {
    await previousVersionWith([
      {
        type: 'connection.deleted',
        endUserId: 'user_42',
        connectionId: oldRecord.id,
        payload: { type: 'connection.deleted', connection: oldRecord },
      },
    ]);
    store = await openStore(`sqlite:${file}`, { events: true });
    await publish(store, connectFailed('user_42', null, 'zoom_error'), createdAt);
    await dispatcher().drain();
    expect(receiver.acknowledged().map((event) => event.type)).toEqual(['connection.deleted', 'connect.failed']);
  });
});

describe('an event written now', () => {
  it("is stored as the versioned webhook body, with nothing of the store's record in it", async () => {
    store = await openStore(`sqlite:${file}`, { events: true });
    const saved = await saveAndAnnounce(store, aSave('user_42', aCredential(), { now: createdAt }));
    const sqlite = new BetterSqlite3(file, { readonly: true });
    try {
      const [row] = sqlite.prepare('select type, payload from outbox_events').all() as { type: string; payload: string }[];
      expect(row!.type).toBe('connection.created');
      expect(JSON.parse(row!.payload)).toEqual({ v: 1, type: 'connection.created', data: { connection: toApiConnection(saved.connection) } });
      expect(row!.payload).not.toContain('endUserId');
    } finally {
      sqlite.close();
    }
  });
});

describe('an event body of an unknown version', () => {
  it('is not delivered: the attempt fails, is logged and retried, and the end user waits for it', async () => {
    store = await openStore(`sqlite:${file}`, { events: true });
    const fromANewerGateway = { v: 2, type: 'connect.failed', data: {} };
    await publish(store, { type: 'connect.failed', endUserId: 'user_9', connectionId: null, body: fromANewerGateway }, createdAt);
    const logs: string[] = [];
    expect(await dispatcher(logs).drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    expect(receiver.deliveries).toEqual([]);
    expect(logs).toContain('webhook delivery failed; will retry');
    expect(await store.outboxBacklog()).toMatchObject({ pending: 1 });
  });
});
