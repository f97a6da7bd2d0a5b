// Checking a credential's health: read it at Recall (validating it first, if asked), record what Recall says on
// every connection that uses it (with the reason Recall logged when it turns unhealthy), and retire it when Recall
// no longer has it. One way for the API's refresh and for the health sync; the sync passes its call budget.
import { readReauthReason } from '../recall/credential-logs.js';
import { RecallError } from '../recall/recall-api.js';
import type { ConnectionRecord, CredentialSnapshot } from '../store/store.js';
import type { CallBudget, CredentialDeps } from './deps.js';
import { statusChanges } from './events.js';
import { isRecallDown, retireGone } from './retire.js';
import { credentialSnapshot } from './snapshot.js';

export interface HealthCheckOptions {
  /**
   * Ask Recall to re-validate the credential with Zoom first: `report` lets a refused validation fail the check;
   * `tolerate` logs it and reads on, as the credential's status says what it is now.
   */
  validate?: 'report' | 'tolerate';
  /** Takes one call before each call to Recall. */
  budget?: CallBudget;
  /**
   * Connections checked after Recall's answer was read (a reconnect meanwhile) keep what they have, as they know
   * better than this answer (the health sync's runs take a while).
   */
  keepNewer?: boolean;
}

export type HealthCheck = { result: 'checked'; connections: ConnectionRecord[] } | { result: 'gone'; detached: number };

/** Re-reads one credential at Recall and records it; 404 retires it and detaches its connections. */
export async function checkCredentialHealth(deps: CredentialDeps, credentialId: string, options: HealthCheckOptions = {}): Promise<HealthCheck> {
  try {
    if (options.validate) await validate(deps, credentialId, options);
    await options.budget?.take();
    const readAt = deps.now().toISOString();
    // Recorded under the id asked for: the answer is about that credential (a mock may answer any id with its own).
    const credential = { ...credentialSnapshot(await deps.recall.retrieveCredential(credentialId)), id: credentialId };
    const connections = await recordHealth(deps, credential, { readAt: options.keepNewer ? readAt : undefined, budget: options.budget });
    return { result: 'checked', connections };
  } catch (error) {
    if (!(error instanceof RecallError) || error.code !== 'recall_not_found') throw error;
    const detached = await retireGone(deps, credentialId);
    deps.log.info({ credentialId, detached }, 'a credential is gone at Recall: its connections need a new authorization');
    return { result: 'gone', detached };
  }
}

async function validate(deps: CredentialDeps, credentialId: string, options: HealthCheckOptions): Promise<void> {
  await options.budget?.take();
  try {
    await deps.recall.validateCredential(credentialId);
  } catch (error) {
    // A credential that fails validation answers an error here; its status, read next, says what it is now.
    const notFound = error instanceof RecallError && error.code === 'recall_not_found';
    if (options.validate === 'report' || notFound || isRecallDown(error) || !(error instanceof RecallError)) throw error;
    deps.log.info({ credentialId, code: error.code }, 'Recall did not validate a credential');
  }
}

/**
 * Records what Recall said about a credential (a retrieve, or a page of its list read at `readAt`) on every
 * connection that uses it, with the events of the connections whose status turns.
 */
export async function recordHealth(
  deps: CredentialDeps,
  credential: CredentialSnapshot,
  options: { readAt?: string; budget?: CallBudget },
): Promise<ConnectionRecord[]> {
  const reauthReason = credential.status === 'unhealthy' ? await newReauthReason(deps, credential.id, options.budget) : undefined;
  const checkedAt = deps.now().toISOString();
  const update = {
    recallStatus: credential.status,
    meetingSyncStatus: credential.meetingSyncStatus,
    checkedAt,
    observedAt: options.readAt,
    reauthReason,
  };
  return deps.store.transaction(async (tx) => {
    const changes = await tx.connections.recordHealth(credential.id, update);
    await tx.publish(statusChanges(changes), checkedAt);
    return changes.map((change) => change.after);
  });
}

/**
 * Why an unhealthy credential failed, read from Recall's log, only when one of its connections does not know yet:
 * a credential that stays unhealthy check after check costs nothing more.
 */
async function newReauthReason(deps: CredentialDeps, credentialId: string, budget: CallBudget | undefined): Promise<string | undefined> {
  const connections = await deps.store.connectionsOnCredential(credentialId);
  if (!connections.some((connection) => connection.status !== 'needs_reauth' || connection.reauthReason === null)) return undefined;
  await budget?.take();
  return readReauthReason(deps.recall, credentialId, deps.log);
}
