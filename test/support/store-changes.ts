// One change to the store in a unit of work of its own, for tests that set up or inspect the store's rows
// directly: what the domain (src/credentials/) does inside its transactions, one step at a time. The `…AndAnnounce`
// variants also publish the events the domain names for the change, in the same transaction (kept only by a
// store opened with events).
import { savedConnectionEvents, statusChanges } from '../../src/credentials/events.js';
import { connectionDeleted } from '../../src/events/bodies.js';
import type { ConnectionRecord, HealthUpdate, OutboxEntry, SaveConnectionInput, SaveConnectionResult, Store } from '../../src/store/store.js';

export function saveConnection(store: Store, input: SaveConnectionInput): Promise<SaveConnectionResult> {
  return store.transaction((tx) => tx.connections.save(input));
}

export function saveAndAnnounce(store: Store, input: SaveConnectionInput): Promise<SaveConnectionResult> {
  return store.transaction(async (tx) => {
    const saved = await tx.connections.save(input);
    await tx.publish(savedConnectionEvents(saved), input.now);
    return saved;
  });
}

/** How many connections lost the credential. */
export async function detachCredential(store: Store, credentialId: string, now: string, { announce = false } = {}): Promise<number> {
  return store.transaction(async (tx) => {
    const changes = await tx.connections.detachCredential(credentialId, now);
    if (announce) await tx.publish(statusChanges(changes), now);
    return changes.length;
  });
}

/** The connections on the credential, as the health update left them. */
export async function recordCredentialHealth(
  store: Store,
  credentialId: string,
  update: HealthUpdate,
  { announce = false } = {},
): Promise<ConnectionRecord[]> {
  return store.transaction(async (tx) => {
    const changes = await tx.connections.recordHealth(credentialId, update);
    if (announce) await tx.publish(statusChanges(changes), update.checkedAt);
    return changes.map((change) => change.after);
  });
}

/** Whether there was a connection to delete. */
export async function deleteConnection(store: Store, id: string, { announce = false, now = '2026-12-01T10:00:00.000Z' } = {}): Promise<boolean> {
  return store.transaction(async (tx) => {
    const deleted = await tx.connections.delete(id);
    if (deleted && announce) await tx.publish([connectionDeleted(deleted)], now);
    return deleted !== undefined;
  });
}

/** The credential retired, Recall having confirmed it gone (nothing owed). */
export function recordCredentialDeleted(store: Store, credentialId: string, now: string): Promise<void> {
  return store.transaction((tx) => tx.credentials.retire(credentialId, now, { deletionOwed: false }));
}

export function publish(store: Store, event: OutboxEntry, now: string): Promise<void> {
  return store.transaction((tx) => tx.publish([event], now));
}

/** Makes the store's next save (inside whatever unit of work runs it) fail with `error`; the rest works as before. */
export function failNextSave(store: Store, error: Error): void {
  const transaction = store.transaction.bind(store);
  let failed = false;
  store.transaction = (work) =>
    transaction((tx) =>
      work({
        ...tx,
        connections: {
          ...tx.connections,
          save: async (input) => {
            if (failed) return tx.connections.save(input);
            failed = true;
            throw error;
          },
        },
      }),
    );
}
