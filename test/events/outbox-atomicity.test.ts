// A change and its events commit together or not at all: with the outbox refusing every insert (a trigger
// stands in for a failure half-way through the transaction), no change is left behind without its event.
import BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { aCredential, anEndUser, aSave, at } from '../store/contract/fixtures.js';
import { adoptCredential } from '../../src/credentials/replace.js';
import type { RecallApi } from '../../src/recall/recall-api.js';
import { deleteConnection, detachCredential, recordCredentialHealth, saveAndAnnounce, saveConnection } from '../support/store-changes.js';

let folder: string;
let file: string;
let store: Store;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'zcg-outbox-'));
  file = join(folder, `${randomUUID()}.db`);
  store = await openStore(`sqlite:${file}`, { events: true });
});
afterEach(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

function breakTheOutbox(): void {
  const sqlite = new BetterSqlite3(file);
  sqlite.exec("create trigger outbox_down before insert on outbox_events begin select raise(abort, 'outbox is down'); end");
  sqlite.close();
}

describe('a change and its events', () => {
  it('leaves no new connection behind when its connection.created cannot be written', async () => {
    breakTheOutbox();
    const endUserId = anEndUser();
    const deps = { store, recall: {} as RecallApi, appKind: 'account_level', now: () => new Date(at(1)), log: console } as const;
    await expect(adoptCredential(deps, { endUserId, credential: aCredential(), replacedAtRecall: [] })).rejects.toThrow(/outbox is down/);
    expect(await store.getConnectionByEndUser(endUserId)).toBeUndefined();
  });

  it('keeps the connection when its connection.deleted cannot be written', async () => {
    const saved = await saveConnection(store, aSave(anEndUser(), aCredential()));
    breakTheOutbox();
    await expect(deleteConnection(store, saved.connection.id, { now: at(1), announce: true })).rejects.toThrow(/outbox is down/);
    expect(await store.getConnection(saved.connection.id)).toEqual(saved.connection);
  });

  it('keeps the status when its connection.status_changed cannot be written', async () => {
    const credential = aCredential();
    const saved = await saveConnection(store, aSave(anEndUser(), credential));
    breakTheOutbox();
    const unhealthy = { recallStatus: 'unhealthy', meetingSyncStatus: null, checkedAt: at(1) } as const;
    await expect(recordCredentialHealth(store, credential.id, unhealthy, { announce: true })).rejects.toThrow(/outbox is down/);
    await expect(detachCredential(store, credential.id, at(1), { announce: true })).rejects.toThrow(/outbox is down/);
    expect(await store.getConnection(saved.connection.id)).toEqual(saved.connection);
  });

  it('writes the change alone when it records no events (WEBHOOK_URL unset)', async () => {
    await store.close();
    store = await openStore(`sqlite:${file}`, { events: false });
    breakTheOutbox();
    const endUserId = anEndUser();
    await saveAndAnnounce(store, aSave(endUserId, aCredential()));
    expect(await store.getConnectionByEndUser(endUserId)).toBeDefined();
  });
});
