// Retiring a credential: no connection may be saved onto it again (a tombstone), the connections still on it are
// detached, and it is deleted at Recall. Two orders, each for a reason:
// - Recall first, then the store, where the gateway must not claim a credential gone that Recall still holds: a
//   disconnect (a failed delete keeps the connection), a legacy conflict (Recall wants it gone before a create);
// - the store first, then Recall, where the connections have somewhere to go (a replaced credential, an unused
//   one): they move in one transaction that also records the delete as owed, and the delete follows. A crash
//   or a failed delete in between leaves an owed delete that settleOwedDeletions (the health sync) retries:
//   never a connection on a credential Recall no longer has.
import { connectionDeleted } from '../events/bodies.js';
import { RecallError } from '../recall/recall-api.js';
import type { ConnectionRecord, OwedDeletion, StoreTransaction } from '../store/store.js';
import type { CallBudget, CredentialDeps } from './deps.js';
import { statusChanges } from './events.js';

/** An owed delete that failed is tried again after this long, doubling with every failure, up to six hours. */
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 6 * 3600_000;

/**
 * Retires the credential unless a connection still uses it, in the caller's transaction; its delete at Recall is
 * then owed. Held first, so a save onto it still in flight is counted (and any later one refused).
 */
export async function retireUnlessUsed(tx: StoreTransaction, credentialId: string, now: string): Promise<boolean> {
  await tx.credentials.hold(credentialId);
  if ((await tx.connections.countCredentialUsers(credentialId)) > 0) return false;
  await tx.credentials.retire(credentialId, now, { deletionOwed: true });
  return true;
}

/**
 * Recall confirmed the credential gone (deleted, or 404) and nothing replaces it: retired (a callback Recall
 * answered with it before cannot save onto it afterwards; Recall never reuses ids), nothing owed, and every
 * connection on it detached (needs_reauth, until its Zoom identity connects again).
 */
export async function retireGone(deps: CredentialDeps, credentialId: string): Promise<number> {
  const now = deps.now().toISOString();
  return deps.store.transaction(async (tx) => {
    await tx.credentials.retire(credentialId, now, { deletionOwed: false });
    await tx.credentials.settleDeletion(credentialId);
    const detached = await tx.connections.detachCredential(credentialId, now);
    await tx.publish(statusChanges(detached), now);
    return detached.length;
  });
}

/**
 * Disconnects: deletes the connection, and its credential at Recall unless another connection still uses it (an
 * account-level app shares one). Recall first: its 404 means already gone; any other failure keeps the row, so
 * the connection never claims to be gone while Recall still holds its credential.
 */
export async function disconnectConnection(deps: CredentialDeps, record: ConnectionRecord): Promise<void> {
  const credentialId = record.recallCredentialId;
  const lastUser = credentialId !== null && (await deps.store.countCredentialUsers(credentialId, record.id)) === 0;
  if (lastUser) await deps.recall.deleteCredential(credentialId);
  const now = deps.now().toISOString();
  const owed = await deps.store.transaction(async (tx) => {
    const deleted = await tx.connections.delete(record.id);
    const events = deleted ? [connectionDeleted(deleted)] : [];
    const owed: string[] = [];
    if (credentialId !== null && lastUser) {
      // Gone at Recall: whoever saved onto it since it was counted loses it again (a reconnect repairs that).
      await tx.credentials.retire(credentialId, now, { deletionOwed: false });
      events.push(...statusChanges(await tx.connections.detachCredential(credentialId, now)));
    } else if (credentialId !== null && (await retireUnlessUsed(tx, credentialId, now))) {
      // Two users of one credential disconnecting at once each saw the other's row and left the credential to
      // the other: whoever finds no row left after its own delete makes sure Recall lets go of it too.
      owed.push(credentialId);
    }
    await tx.publish(events, now);
    return owed;
  });
  await deleteOwed(
    deps,
    owed.map((id) => ({ credentialId: id, attempts: 0 })),
  );
}

/**
 * A legacy conflict's credential, deleted at Recall to make room for a new one: retired at once, so no callback
 * Recall answered with it before the delete can save onto it. Its connections stay until the new credential's
 * save moves them (or detachDeleted, if no new credential comes).
 */
export async function retireDeletedForConflict(deps: CredentialDeps, credentialId: string): Promise<void> {
  const now = deps.now().toISOString();
  await deps.store.transaction((tx) => tx.credentials.retire(credentialId, now, { deletionOwed: false }));
}

/**
 * Credentials deleted at Recall (or maybe deleted: an answer lost) that no new credential replaces: every
 * connection on them loses its credential and needs a new authorization.
 */
export async function detachDeleted(deps: CredentialDeps, credentialIds: readonly string[]): Promise<void> {
  for (const credentialId of credentialIds) {
    const now = deps.now().toISOString();
    const detached = await deps.store.transaction(async (tx) => {
      const changes = await tx.connections.detachCredential(credentialId, now);
      await tx.publish(statusChanges(changes), now);
      return changes.length;
    });
    deps.log.info({ credentialId, detached }, 'detached connections from a deleted Recall credential');
  }
}

/**
 * Pays owed deletes at Recall: 204 or 404 settles one; any other failure is logged and tried again later, by
 * settleOwedDeletions. Nothing is on these credentials any more, so a failure here never fails the caller.
 */
export async function deleteOwed(deps: CredentialDeps, owed: readonly OwedDeletion[], budget?: CallBudget): Promise<number> {
  let settled = 0;
  for (const { credentialId, attempts } of owed) {
    try {
      await budget?.take();
      const outcome = await deps.recall.deleteCredential(credentialId);
      await deps.store.transaction((tx) => tx.credentials.settleDeletion(credentialId));
      deps.log.info({ credentialId, outcome }, 'deleted a retired Recall credential');
      settled++;
    } catch (error) {
      const code = error instanceof RecallError ? error.code : 'error';
      const nextAttemptAt = new Date(deps.now().getTime() + Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** attempts)).toISOString();
      deps.log.warn({ credentialId, code, nextAttemptAt }, 'could not delete a retired Recall credential; will retry');
      await deps.store
        .transaction((tx) => tx.credentials.postponeDeletion(credentialId, { nextAttemptAt, error: code }))
        .catch((storeError: unknown) => deps.log.warn({ err: storeError, credentialId }, 'could not postpone an owed delete'));
    }
  }
  return settled;
}

/** The deletes still owed (a crash, a failed delete before) that are due: at most `limit` of them. */
export async function settleOwedDeletions(deps: CredentialDeps, options: { limit: number; budget?: CallBudget }): Promise<number> {
  const owed = await deps.store.deletionsOwed(deps.now().toISOString(), options.limit);
  return deleteOwed(deps, owed, options.budget);
}

/** Whether a failure is Recall refusing or unreachable as a whole, rather than about one credential. */
export function isRecallDown(error: unknown): boolean {
  return error instanceof RecallError && (error.code === 'recall_unavailable' || error.code === 'recall_unauthorized');
}
