// An end user's connection takes the credential Recall registered, and whatever that credential replaces goes:
// - the credentials a legacy conflict deleted at Recall (replacedAtRecall): their connections move to it;
// - another credential of the same Zoom identity (by the app's kind): Recall re-authorized the identity with a
//   new id. Every connection on the old one moves to the new one in the same transaction, the old one is retired
//   with its delete at Recall owed, and the delete follows (404: Recall removed it itself);
// - the end user's previous credential, after a reconnect as another Zoom identity, when nobody uses it now.
// The events of all of it are published in that same transaction.
import { randomUUID } from 'node:crypto';
import type { ConnectionChange, ConnectionRecord, CredentialSnapshot } from '../store/store.js';
import type { RegistrationDeps } from './deps.js';
import { savedConnectionEvents, statusChanges } from './events.js';
import { deleteOwed, detachDeleted, retireUnlessUsed } from './retire.js';

export interface Adoption {
  endUserId: string;
  credential: CredentialSnapshot;
  /** Credentials a legacy conflict deleted at Recall to make room for this one. */
  replacedAtRecall: readonly string[];
}

export async function adoptCredential(deps: RegistrationDeps, adoption: Adoption): Promise<ConnectionRecord> {
  const { endUserId, credential } = adoption;
  const replacedAtRecall = [...adoption.replacedAtRecall];
  const now = deps.now().toISOString();
  const saved = await deps.store
    .transaction(async (tx) => {
      const saved = await tx.connections.save({
        newConnectionId: randomUUID(),
        endUserId,
        credential,
        appKind: deps.appKind,
        replacesCredentialIds: replacedAtRecall,
        now,
      });
      const owed: string[] = [];
      const latecomers: ConnectionChange[] = [];
      for (const replaced of saved.replacedCredentialIds) {
        // Retired first: a save onto it still in flight commits before this goes on, and moves along below.
        await tx.credentials.retire(replaced, now, { deletionOwed: true });
        latecomers.push(...(await tx.connections.moveCredential(replaced, credential, now)));
        owed.push(replaced);
      }
      const previous = saved.previousCredentialId;
      const goneAlready = previous !== null && (replacedAtRecall.includes(previous) || saved.replacedCredentialIds.includes(previous));
      if (previous !== null && !goneAlready && (await retireUnlessUsed(tx, previous, now))) owed.push(previous);
      await tx.publish([...savedConnectionEvents(saved), ...statusChanges(latecomers)], now);
      return { connection: saved.connection, owed };
    })
    .catch(async (error: unknown) => {
      // The credentials a conflict deleted are gone at Recall and nobody moved to the new one: detach, if the store lets us.
      await detachDeleted(deps, replacedAtRecall).catch(() => undefined);
      throw error;
    });
  if (saved.owed.length > 0) deps.log.info({ credentialIds: saved.owed }, 'retired Recall credentials nobody uses any more; deleting them');
  await deleteOwed(
    deps,
    saved.owed.map((credentialId) => ({ credentialId, attempts: 0 })),
  );
  return saved.connection;
}
