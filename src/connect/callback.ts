// The OAuth callback, top to bottom: consume the flow and check the browser (flow.ts), read Zoom's answer,
// register the code with Recall (registration.ts), then store the connection in one transaction.
import { randomUUID } from 'node:crypto';
import type { ZoomOauthCredential } from '../recall/recall-api.js';
import type { ConnectionRecord, ConnectSessionRecord, CredentialSnapshot, FlowRecord } from '../store/store.js';
import type { ConnectDeps } from './deps.js';
import { FlowProblem } from './flow-problem.js';
import { consumeFlow, startFlow, type FlowStart } from './flow.js';
import { CodeSpentAfterConflict, recallProblem, registerCredential } from './registration.js';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export type CallbackOutcome =
  | { kind: 'connected'; session: ConnectSessionRecord; connection: ConnectionRecord; clearCookie: string }
  | { kind: 'restarted'; session: ConnectSessionRecord; start: FlowStart; clearCookie: string };

export async function finishCallback(
  deps: ConnectDeps,
  query: CallbackQuery,
  cookies: Record<string, string | undefined>,
): Promise<CallbackOutcome> {
  const { flow, session, cookieName } = await consumeFlow(deps, query.state, cookies);
  const fail = (code: ConstructorParameters<typeof FlowProblem>[0], detail: string) => new FlowProblem(code, detail, session, cookieName);

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
      codeVerifier: flow.codeVerifier,
    });
    const connection = await saveConnection(deps, session, registration.credential, registration.replacedCredentialIds);
    return { kind: 'connected', session, connection, clearCookie: cookieName };
  } catch (error) {
    if (error instanceof CodeSpentAfterConflict) {
      if (flow.attempt > 1) throw fail('recall_conflict_unresolved', 'The existing Zoom connection could not be replaced. Try again.');
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

async function saveConnection(
  deps: ConnectDeps,
  session: ConnectSessionRecord,
  credential: ZoomOauthCredential,
  replacesCredentialIds: string[],
): Promise<ConnectionRecord> {
  const saved = await deps.store
    .saveConnection({
      newConnectionId: randomUUID(),
      endUserId: session.endUserId,
      credential: credentialSnapshot(credential),
      replacesCredentialIds,
      now: deps.now().toISOString(),
    })
    .catch(async (error: unknown) => {
      // The replaced credentials are gone at Recall and nobody moved to the new one: detach, if the store lets us.
      for (const credentialId of replacesCredentialIds) {
        await deps.store.detachCredential(credentialId, deps.now().toISOString()).catch(() => undefined);
      }
      throw error;
    });
  // A credential replaced by a legacy conflict was already deleted at Recall, while resolving it.
  const alreadyDeleted = saved.previousCredentialId !== null && replacesCredentialIds.includes(saved.previousCredentialId);
  if (saved.previousCredentialId && !saved.previousCredentialStillUsed && !alreadyDeleted) {
    // A reconnect as another Zoom identity: the old credential serves nobody now.
    await deps.recall.deleteCredential(saved.previousCredentialId).catch((error: unknown) => {
      deps.log.warn({ credentialId: saved.previousCredentialId, code: recallProblem(error).code }, 'could not delete a replaced Recall credential');
    });
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
