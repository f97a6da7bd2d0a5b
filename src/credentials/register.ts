// Registering an authorization code: create the credential at Recall (the client sends an Idempotency-Key, so a
// lost answer is retried safely), resolving Recall's legacy re-authorization conflict on the way, then connect
// the end user to it (replace.ts). The conflict names a *Zoom* id: the credential is found by listing with it
// and deleted by its *Recall* id (public sample code deletes /zoom-oauth-credentials/{zoom id}/, which can never
// work). Every failure is a RecallError, which names its own problem code (src/recall/problem.ts).
import { RecallConflictError, RecallError, type AuthorizationCodeGrant, type ZoomOauthCredential } from '../recall/recall-api.js';
import { CredentialDeletedError, CredentialSupersededError, type ConnectionRecord } from '../store/store.js';
import type { RegistrationDeps } from './deps.js';
import { adoptCredential } from './replace.js';
import { deleteOwed, detachDeleted, retireDeletedForConflict, retireUnlessUsed } from './retire.js';
import { credentialSnapshot } from './snapshot.js';

/** The conflict was cleared, but the second create found the code spent: the user must pass Zoom again. */
export class CodeSpentAfterConflict extends Error {
  override readonly name = 'CodeSpentAfterConflict';
}

/**
 * Registers the code with Recall and connects the end user to the credential Recall answered. Throws
 * CodeSpentAfterConflict, CredentialDeletedError or CredentialSupersededError when the user has to pass
 * through Zoom once more (the flow's restart), and RecallError otherwise.
 */
export async function registerCredential(deps: RegistrationDeps, endUserId: string, grant: AuthorizationCodeGrant): Promise<ConnectionRecord> {
  const { credential, replacedAtRecall } = await createAtRecall(deps, grant);
  const snapshot = credentialSnapshot(credential);
  try {
    return await adoptCredential(deps, { endUserId, credential: snapshot, replacedAtRecall });
  } catch (error) {
    if (error instanceof CredentialDeletedError) await finishRetirement(deps, error.credentialId);
    if (error instanceof CredentialSupersededError) await retireStale(deps, error.credentialId);
    throw error;
  }
}

/**
 * Recall answered with a credential the gateway retired: if its delete at Recall is still owed (it failed, or is
 * in flight), try it now, so that the trip through Zoom that follows gets a fresh credential, not this one again.
 */
async function finishRetirement(deps: RegistrationDeps, credentialId: string): Promise<void> {
  const retired = await deps.store.retiredCredential(credentialId);
  if (retired?.deletionOwed) await deleteOwed(deps, [{ credentialId, attempts: 0 }]);
}

/** Recall has since replaced the credential it answered with: nobody may use it, and Recall may drop it. */
async function retireStale(deps: RegistrationDeps, credentialId: string): Promise<void> {
  deps.log.info({ credentialId }, 'Recall answered with a credential it has replaced since; retiring it');
  const now = deps.now().toISOString();
  if (await deps.store.transaction((tx) => retireUnlessUsed(tx, credentialId, now))) await deleteOwed(deps, [{ credentialId, attempts: 0 }]);
}

async function createAtRecall(
  deps: RegistrationDeps,
  grant: AuthorizationCodeGrant,
): Promise<{ credential: ZoomOauthCredential; replacedAtRecall: string[] }> {
  let conflict: RecallConflictError;
  try {
    const { credential } = await deps.recall.createCredential(grant);
    return { credential, replacedAtRecall: [] };
  } catch (error) {
    if (!(error instanceof RecallConflictError)) throw error;
    conflict = error;
  }
  const replacedAtRecall = await removeConflictingCredentials(deps, conflict);
  try {
    const { credential } = await deps.recall.createCredential(grant, { attempt: 'after_conflict' });
    // Not detached yet: saving the connection moves everyone off the deleted credentials in one transaction.
    return { credential, replacedAtRecall };
  } catch (error) {
    // Recall no longer has them and nothing replaces them: no connection may keep pointing at them.
    await detachDeleted(deps, replacedAtRecall);
    // Zoom codes are single use; Recall may have spent this one on the first, refused create.
    if (error instanceof RecallError && error.code === 'recall_invalid_grant') throw new CodeSpentAfterConflict();
    if (error instanceof RecallConflictError) {
      throw new RecallError('recall_conflict_unresolved', 'Recall still reports a conflicting credential after it was deleted', {
        status: 400,
        recallDetail: error.recallDetail,
      });
    }
    throw error;
  }
}

async function removeConflictingCredentials(deps: RegistrationDeps, conflict: RecallConflictError): Promise<string[]> {
  // Only the id of the app's kind identifies the credential: on a user-level app an account id would list (and
  // delete) the credentials of every colleague in that Zoom account.
  const filter = conflict.zoomIdFor(deps.appKind);
  if (!filter) {
    deps.log.warn(
      { appKind: deps.appKind, conflicting: conflict.conflicting, recallDetail: conflict.recallDetail },
      "Recall's conflict names no Zoom id of the app's kind",
    );
    throw new RecallError('recall_conflict_unresolved', "Recall's conflict names no Zoom id of the app's kind");
  }
  // Recall filters the list by that Zoom id; what is deleted is checked here all the same: a list that ignored or
  // renamed the filter would otherwise have one re-authorization delete every end user's credential.
  const matches = (await deps.recall.listCredentials(filter)).filter((credential) =>
    'userId' in filter ? credential.user_id === filter.userId : credential.account_id === filter.accountId,
  );
  if (matches.length > 1) {
    deps.log.warn(
      { appKind: deps.appKind, conflicting: conflict.conflicting, credentialIds: matches.map((credential) => credential.id) },
      'Recall lists several credentials for the conflicting Zoom identity; none is deleted',
    );
    throw new RecallError('recall_conflict_unresolved', 'Recall lists several credentials for the conflicting Zoom identity');
  }
  if (matches.length === 0) {
    deps.log.warn(
      { appKind: deps.appKind, conflicting: conflict.conflicting },
      'Recall reported a conflicting credential that its list does not show',
    );
    throw new RecallError('recall_conflict_unresolved', 'Recall reported a conflicting credential that its list does not show');
  }
  const deleted: string[] = [];
  for (const credential of matches) {
    try {
      await deps.recall.deleteCredential(credential.id);
    } catch (error) {
      // The answer may have been lost after Recall deleted it: it may be gone, so no connection may stay on it
      // (they become needs_reauth; a reconnect relinks them). Not retired: Recall may well still have it.
      await detachDeleted(deps, [...deleted, credential.id]);
      throw error;
    }
    deleted.push(credential.id);
    deps.log.info({ credentialId: credential.id }, 'deleted a conflicting Recall credential');
    try {
      await retireDeletedForConflict(deps, credential.id);
    } catch (error) {
      await detachDeleted(deps, deleted).catch(() => undefined);
      throw error;
    }
  }
  return deleted;
}
