// The OAuth callback, top to bottom: consume the flow and check the browser (flow.ts), read Zoom's answer,
// register the code with Recall (registration.ts), then store the connection in one transaction.
import { randomUUID } from 'node:crypto';
import type { ZoomOauthCredential } from '../recall/recall-api.js';
import {
  CredentialDeletedError,
  type ConnectionRecord,
  type ConnectSessionRecord,
  type CredentialSnapshot,
  type FlowRecord,
} from '../store/store.js';
import type { ConnectDeps } from './deps.js';
import { FlowProblem } from './flow-problem.js';
import { consumeFlow, startFlow, type ConsumedFlow, type FlowStart } from './flow.js';
import { CodeSpentAfterConflict, recallProblem, recordCredentialDeleted, registerCredential } from './registration.js';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export type CallbackOutcome =
  | { kind: 'connected'; session: ConnectSessionRecord; connection: ConnectionRecord; clearCookie: string }
  | { kind: 'restarted'; session: ConnectSessionRecord; start: FlowStart; clearCookie: string };

export async function finishCallback(deps: ConnectDeps, query: CallbackQuery, cookies: Record<string, string | undefined>): Promise<CallbackOutcome> {
  const consumed = await consumeFlow(deps, query.state, cookies).catch(async (error: unknown) => {
    // A consumed flow that fails its checks (expired, no or another cookie) is a failed attempt of a known end
    // user; a replayed state is not a new attempt, and an unknown state names no end user.
    if (error instanceof FlowProblem && error.session && error.code !== 'state_reused') await announceFailure(deps, error.session, error.code);
    throw error;
  });
  try {
    return await completeFlow(deps, query, consumed);
  } catch (error) {
    if (error instanceof FlowProblem) await announceFailure(deps, consumed.session, error.code);
    throw error;
  }
}

type Fail = (code: ConstructorParameters<typeof FlowProblem>[0], detail: string) => FlowProblem;

async function completeFlow(deps: ConnectDeps, query: CallbackQuery, { flow, session, cookieName }: ConsumedFlow): Promise<CallbackOutcome> {
  const fail: Fail = (code, detail) => new FlowProblem(code, detail, session, cookieName);
  if (query.error) {
    // Zoom's description is for the operator only: it never reaches a page. Bounded, as anyone can write it.
    deps.log.info(
      { sessionId: session.id, zoomError: query.error.slice(0, 100), zoomErrorDescription: query.error_description?.slice(0, 300) },
      'Zoom answered the sign-in with an error',
    );
    if (query.error === 'access_denied') throw fail('access_denied', 'Zoom access was not granted.');
    throw fail('zoom_error', 'Zoom could not complete the sign-in. Try again.');
  }
  if (!query.code) throw fail('code_missing', 'Zoom sent no authorization code. Try again.');

  try {
    const registration = await registerCredential(deps, {
      code: query.code,
      redirectUri: deps.config.zoom.redirectUri,
      codeVerifier: flow.codeVerifier || null,
    });
    const connection = await saveConnection(deps, session, registration.credential, registration.replacedCredentialIds);
    return { kind: 'connected', session, connection, clearCookie: cookieName };
  } catch (error) {
    if (error instanceof CodeSpentAfterConflict) {
      if (flow.attempt > 1) throw fail('recall_conflict_unresolved', 'The existing Zoom connection could not be replaced. Try again.');
      return { kind: 'restarted', session, start: await restartFlow(deps, flow, session, fail), clearCookie: cookieName };
    }
    if (error instanceof CredentialDeletedError) {
      // Another flow of the same Zoom identity deleted the credential Recall gave us, after Recall answered and
      // before we saved: nothing was saved. One more trip through Zoom registers a fresh credential (the code
      // is spent); a second time, the user tries again and the normal conflict path converges.
      deps.log.info({ sessionId: session.id, credentialId: error.credentialId }, 'the registered Recall credential was deleted before it was saved');
      if (flow.attempt > 1) throw fail('recall_conflict_unresolved', 'Your Zoom connection changed while connecting. Try again.');
      return { kind: 'restarted', session, start: await restartFlow(deps, flow, session, fail), clearCookie: cookieName };
    }
    const problem = recallProblem(error);
    if (problem.code === 'internal_error') deps.log.error({ err: error, sessionId: session.id }, 'callback failed');
    throw fail(problem.code, problem.detail);
  }
}

/** The code was spent resolving a conflict: one more trip through Zoom, which skips its consent screen this time. */
async function restartFlow(
  deps: ConnectDeps,
  flow: FlowRecord,
  session: ConnectSessionRecord,
  fail: (code: 'internal_error', detail: string) => FlowProblem,
): Promise<FlowStart> {
  deps.log.info({ sessionId: session.id }, 'code spent while resolving a Recall conflict: sending the browser through Zoom again');
  try {
    return await startFlow(deps, session, flow.attempt + 1);
  } catch (error) {
    // The browser still goes back where the app asked, and its spent flow's cookie is still cleared.
    deps.log.error({ err: error, sessionId: session.id }, 'could not restart the flow');
    throw fail('internal_error', 'The sign-in could not be restarted. Start again from the app.');
  }
}

/** connect.failed, for the app's backend (WEBHOOK_URL); never in the way of the answer the browser gets. */
async function announceFailure(deps: ConnectDeps, session: ConnectSessionRecord, code: string): Promise<void> {
  if (deps.config.webhook === null) return;
  try {
    const connection = await deps.store.getConnectionByEndUser(session.endUserId);
    const event = { type: 'connect.failed', endUserId: session.endUserId, connectionId: connection?.id ?? null, code } as const;
    await deps.store.recordEvent(event, deps.now().toISOString());
  } catch (error) {
    deps.log.warn({ err: error, sessionId: session.id, code }, 'could not record a connect.failed event');
  }
}

async function saveConnection(
  deps: ConnectDeps,
  session: ConnectSessionRecord,
  credential: ZoomOauthCredential,
  replacesCredentialIds: string[],
): Promise<ConnectionRecord> {
  const recordEvents = deps.config.webhook !== null;
  const saved = await deps.store
    .saveConnection({
      recordEvents,
      newConnectionId: randomUUID(),
      endUserId: session.endUserId,
      credential: credentialSnapshot(credential),
      appKind: deps.appKind,
      replacesCredentialIds,
      now: deps.now().toISOString(),
    })
    .catch(async (error: unknown) => {
      // The replaced credentials are gone at Recall and nobody moved to the new one: detach, if the store lets us.
      for (const credentialId of replacesCredentialIds) {
        await deps.store.detachCredential(credentialId, deps.now().toISOString(), { recordEvents }).catch(() => undefined);
      }
      throw error;
    });
  // A credential replaced by a legacy conflict was already deleted at Recall, while resolving it.
  const alreadyDeleted = saved.previousCredentialId !== null && replacesCredentialIds.includes(saved.previousCredentialId);
  if (saved.previousCredentialId && !saved.previousCredentialStillUsed && !alreadyDeleted) {
    // A reconnect as another Zoom identity: the old credential serves nobody now.
    const credentialId = saved.previousCredentialId;
    const deleted = await deps.recall.deleteCredential(credentialId).then(
      () => true,
      (error: unknown) => {
        deps.log.warn({ credentialId, code: recallProblem(error).code }, 'could not delete a replaced Recall credential');
        return false;
      },
    );
    if (deleted) {
      try {
        // From now on no callback Recall answered with it before the delete can save onto it; one that saved
        // between the delete and the tombstone loses it again (needs_reauth, which a reconnect repairs).
        await recordCredentialDeleted(deps, credentialId);
        await deps.store.detachCredential(credentialId, deps.now().toISOString(), { recordEvents });
      } catch (error) {
        deps.log.warn({ err: error, credentialId }, 'could not record a deleted Recall credential');
      }
    }
  }
  return saved.connection;
}

export function credentialSnapshot(credential: ZoomOauthCredential): CredentialSnapshot {
  return {
    id: credential.id,
    status: credential.status ?? 'healthy',
    userId: credential.user_id ?? null,
    accountId: credential.account_id ?? null,
    meetingSyncStatus: credential.meeting_sync_status ?? null,
  };
}
