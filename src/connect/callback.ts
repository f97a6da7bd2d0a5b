// The OAuth callback, top to bottom: consume the flow and check the browser (flow.ts), read Zoom's answer, then
// register the code with Recall and connect the end user to the credential (src/credentials/register.ts). Every
// result it expects is returned as an outcome (flow-outcome.ts); only the unexpected is thrown.
import { CodeSpentAfterConflict, registerCredential } from '../credentials/register.js';
import { connectFailed } from '../events/bodies.js';
import { CredentialDeletedError, CredentialSupersededError, type ConnectSessionRecord, type FlowRecord } from '../store/store.js';
import type { ConnectDeps } from './deps.js';
import { failed, type CallbackOutcome } from './flow-outcome.js';
import { consumeFlow, startFlow, type ConsumedFlow } from './flow.js';
import { toProblem, type ProblemCode } from './problems.js';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export async function finishCallback(deps: ConnectDeps, query: CallbackQuery, cookies: Record<string, string | undefined>): Promise<CallbackOutcome> {
  const consumed = await consumeFlow(deps, query.state, cookies);
  const outcome = consumed.kind === 'consumed' ? await completeFlow(deps, query, consumed) : consumed;
  if (consumed.kind === 'consumed' && outcome.kind === 'connected') await rememberConnected(deps, consumed.flow, outcome.connectionId);
  // A failure of a known end user's flow is announced; a replayed state is not a new attempt (state_reused),
  // and an unknown state names no end user.
  if (outcome.kind === 'failed' && outcome.session && outcome.failure.code !== 'state_reused') {
    await announceFailure(deps, outcome.session, outcome.failure.code);
  }
  return outcome;
}

async function completeFlow(deps: ConnectDeps, query: CallbackQuery, { flow, session, cookieName }: ConsumedFlow): Promise<CallbackOutcome> {
  const where = { session, clearCookie: cookieName };
  if (query.error) {
    // Zoom's description is for the operator only: it never reaches a page. Bounded, as anyone can write it.
    deps.log.info(
      { sessionId: session.id, zoomError: query.error.slice(0, 100), zoomErrorDescription: query.error_description?.slice(0, 300) },
      'Zoom answered the sign-in with an error',
    );
    if (query.error === 'access_denied') return failed('access_denied', 'Zoom access was not granted.', where);
    return failed('zoom_error', 'Zoom could not complete the sign-in. Try again.', where);
  }
  if (!query.code) return failed('code_missing', 'Zoom sent no authorization code. Try again.', where);

  try {
    const connection = await registerCredential(deps, session.endUserId, {
      code: query.code,
      redirectUri: deps.config.zoom.redirectUri,
      codeVerifier: flow.codeVerifier || null,
    });
    return { kind: 'connected', connectionId: connection.id, ...where };
  } catch (error) {
    if (error instanceof CodeSpentAfterConflict) {
      if (flow.attempt > 1) return failed('recall_conflict_unresolved', 'The existing Zoom connection could not be replaced. Try again.', where);
      return restartFlow(deps, flow, session, cookieName);
    }
    if (error instanceof CredentialDeletedError || error instanceof CredentialSupersededError) {
      // Another flow of the same Zoom identity retired the credential Recall gave us (deleted it, or Recall
      // replaced it since), after Recall answered and before we saved: nothing was saved. One more trip through
      // Zoom registers Recall's current credential (the code is spent); a second time, the user tries again.
      deps.log.info({ sessionId: session.id, credentialId: error.credentialId }, 'the registered Recall credential was retired before it was saved');
      if (flow.attempt > 1) return failed('recall_conflict_unresolved', 'Your Zoom connection changed while connecting. Try again.', where);
      return restartFlow(deps, flow, session, cookieName);
    }
    // The flow is spent and its end user known: even an unexpected failure is answered where the app asked
    // (return_to, the popup), so it is an outcome here, logged with its cause.
    const problem = toProblem(error);
    if (problem.code === 'internal_error') deps.log.error({ err: error, sessionId: session.id }, 'callback failed');
    return failed(problem.code, problem.detail, where);
  }
}

/** The code was spent resolving a conflict: one more trip through Zoom, which skips its consent screen this time. */
async function restartFlow(deps: ConnectDeps, flow: FlowRecord, session: ConnectSessionRecord, cookieName: string): Promise<CallbackOutcome> {
  deps.log.info({ sessionId: session.id }, 'code spent while resolving a Recall conflict: sending the browser through Zoom again');
  try {
    return { kind: 'restarted', session, start: await startFlow(deps, session, flow.attempt + 1), clearCookie: cookieName };
  } catch (error) {
    // The browser still goes back where the app asked, and its spent flow's cookie is still cleared.
    deps.log.error({ err: error, sessionId: session.id }, 'could not restart the flow');
    return failed('internal_error', 'The sign-in could not be restarted. Start again from the app.', { session, clearCookie: cookieName });
  }
}

/** Kept on the flow, so a replay of this callback answers the same (the answer the browser gets never waits on it). */
async function rememberConnected(deps: ConnectDeps, flow: FlowRecord, connectionId: string): Promise<void> {
  try {
    await deps.store.recordFlowConnected(flow.id, connectionId);
  } catch (error) {
    deps.log.warn({ err: error, sessionId: flow.sessionId }, 'could not record the flow as connected; a replay will answer state_reused');
  }
}

/** connect.failed, for the app's backend (WEBHOOK_URL); never in the way of the answer the browser gets. */
async function announceFailure(deps: ConnectDeps, session: ConnectSessionRecord, code: ProblemCode): Promise<void> {
  try {
    const connection = await deps.store.getConnectionByEndUser(session.endUserId);
    const event = connectFailed(session.endUserId, connection?.id ?? null, code);
    const now = deps.now().toISOString();
    await deps.store.transaction((tx) => tx.publish([event], now));
  } catch (error) {
    deps.log.warn({ err: error, sessionId: session.id, code }, 'could not record a connect.failed event');
  }
}
