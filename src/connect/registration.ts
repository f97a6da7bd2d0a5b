// Registering the authorization code with Recall, Recall's legacy re-authorization conflict included.
// The conflict names a *Zoom* id: the credential is found by listing with it and deleted by its *Recall*
// id (public sample code deletes /zoom-oauth-credentials/{zoom id}/, which can never work).
import { RecallConflictError, RecallError, type AuthorizationCodeGrant, type ZoomOauthCredential } from '../recall/recall-api.js';
import type { ConnectDeps } from './deps.js';
import { GatewayProblem, toProblem } from './problems.js';

export interface Registration {
  credential: ZoomOauthCredential;
  /** Credentials deleted at Recall to make room for this one: their connections move to it. */
  replacedCredentialIds: string[];
}

/** The conflict was cleared, but the second create found the code spent: the user must pass Zoom again. */
export class CodeSpentAfterConflict extends Error {
  override readonly name = 'CodeSpentAfterConflict';
}

export async function registerCredential(deps: ConnectDeps, grant: AuthorizationCodeGrant): Promise<Registration> {
  let conflict: RecallConflictError;
  try {
    const { credential } = await deps.recall.createCredential(grant);
    return { credential, replacedCredentialIds: [] };
  } catch (error) {
    if (!(error instanceof RecallConflictError)) throw toProblem(error);
    conflict = error;
  }
  const replacedCredentialIds = await removeConflictingCredentials(deps, conflict);
  try {
    const { credential } = await deps.recall.createCredential(grant, { attempt: 'after_conflict' });
    // Not detached yet: saving the connection moves everyone off the deleted credentials in one transaction.
    return { credential, replacedCredentialIds };
  } catch (error) {
    // Recall no longer has them and nothing replaces them: no connection may keep pointing at them.
    await detachDeletedCredentials(deps, replacedCredentialIds);
    // Zoom codes are single use; Recall may have spent this one on the first, refused create.
    if (error instanceof RecallError && error.code === 'recall_invalid_grant') throw new CodeSpentAfterConflict();
    if (error instanceof RecallConflictError) {
      throw new GatewayProblem('recall_conflict_unresolved', 'Recall still reports a conflicting credential after it was deleted.');
    }
    throw toProblem(error);
  }
}

async function removeConflictingCredentials(deps: ConnectDeps, conflict: RecallConflictError): Promise<string[]> {
  // Only the id of the app's kind identifies the credential: on a user-level app an account id would list (and
  // delete) the credentials of every colleague in that Zoom account.
  const filter = conflict.zoomIdFor(deps.appKind);
  if (!filter) {
    deps.log.warn(
      { appKind: deps.appKind, conflicting: conflict.conflicting, recallDetail: conflict.recallDetail },
      "Recall's conflict names no Zoom id of the app's kind",
    );
    throw toProblem(new RecallError('recall_conflict_unresolved', "Recall's conflict names no Zoom id of the app's kind"));
  }
  const matches = await deps.recall.listCredentials(filter).catch((error: unknown) => {
    throw toProblem(error);
  });
  if (matches.length === 0) {
    throw new GatewayProblem('recall_conflict_unresolved', 'Recall reported a conflicting credential that its list does not show.');
  }
  const deleted: string[] = [];
  for (const credential of matches) {
    try {
      await deps.recall.deleteCredential(credential.id);
    } catch (error) {
      // The answer may have been lost after Recall deleted it: it may be gone, so no connection may stay on it
      // (they become needs_reauth; a reconnect relinks them). Not tombstoned: Recall may well still have it.
      await detachDeletedCredentials(deps, [...deleted, credential.id]);
      throw toProblem(error);
    }
    deleted.push(credential.id);
    deps.log.info({ credentialId: credential.id }, 'deleted a conflicting Recall credential');
    try {
      await recordCredentialDeleted(deps, credential.id);
    } catch (error) {
      await detachDeletedCredentials(deps, deleted).catch(() => undefined);
      throw toProblem(error);
    }
  }
  return deleted;
}

/**
 * Recall confirmed the credential gone (deleted, or already gone): a tombstone, so that a callback Recall
 * answered with it before the delete cannot save a connection onto it afterwards. (Real Recall never reuses ids.)
 */
export async function recordCredentialDeleted(deps: ConnectDeps, credentialId: string): Promise<void> {
  // Demo mode's Recall is the stateless Prism mock, which answers every create with the same example ids:
  // a tombstone there would refuse every later connect of that id.
  if (deps.config.demo) return;
  await deps.store.recordCredentialDeleted(credentialId, deps.now().toISOString());
}

/**
 * Credentials deleted at Recall that no new credential replaces: every connection on them loses its credential
 * and needs a new authorization. (When the next create succeeds they are not detached but moved, by the save.)
 */
async function detachDeletedCredentials(deps: ConnectDeps, credentialIds: string[]): Promise<void> {
  for (const credentialId of credentialIds) {
    const detached = await deps.store.detachCredential(credentialId, deps.now().toISOString(), { recordEvents: deps.config.webhook !== null });
    deps.log.info({ credentialId, detached }, 'detached connections from a deleted Recall credential');
  }
}
