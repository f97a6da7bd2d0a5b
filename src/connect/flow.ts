// A flow is one trip through Zoom: random state, PKCE verifier and browser-binding value, created by a
// launch (launch.ts) or by the one automatic restart, and consumed, atomically and once, by the callback.
// Modelled on Auth.js's checks: each check is a create/use pair, each failure a named code.
import type { ConnectSessionRecord, FlowRecord } from '../store/store.js';
import { authorizeIssuer, buildAuthorizeUrl } from './authorize-url.js';
import { bindingCookieName, readBindingCookie } from './binding-cookie.js';
import { isoAfter, type ConnectDeps } from './deps.js';
import { failed, type CallbackOutcome, type FlowStart } from './flow-outcome.js';
import { constantTimeEqual, hashSecret, pkceChallenge, randomSecret, secretLookupKey, timeOrderedSecret, timeOrderedUuid } from './secrets.js';

/** A new flow's record for the store, and what the browser is sent (the secrets in the clear exist only here). */
export function newFlow(deps: ConnectDeps, session: ConnectSessionRecord, attempt: number): { flow: FlowRecord; start: FlowStart } {
  const { config } = deps;
  const now = deps.now();
  // Both sort by time, so the store's indexes on them grow at their ends (secrets.ts).
  const state = timeOrderedSecret(now.getTime());
  // ZOOM_PKCE=off: an empty verifier, so the callback sends none, even if the setting changes meanwhile.
  const codeVerifier = config.zoom.pkce === 'S256' ? randomSecret() : '';
  const binding = randomSecret();
  const flow: FlowRecord = {
    id: timeOrderedUuid(now.getTime()),
    stateHash: secretLookupKey(state),
    bindingHash: hashSecret(binding),
    sessionId: session.id,
    codeVerifier,
    issuer: authorizeIssuer(config),
    attempt,
    createdAt: now.toISOString(),
    expiresAt: isoAfter(now, config.flowTtlS),
    consumedAt: null,
  };
  return {
    flow,
    start: {
      authorizeUrl: buildAuthorizeUrl(config, { state, codeChallenge: codeVerifier ? pkceChallenge(codeVerifier) : null }),
      cookie: { name: bindingCookieName(flow.id, config.secureCookies), value: binding, maxAgeS: config.flowTtlS },
    },
  };
}

/** Starts a flow of its own (the restart after a spent code; a launch stores its first flow with its claim). */
export async function startFlow(deps: ConnectDeps, session: ConnectSessionRecord, attempt: number): Promise<FlowStart> {
  const { flow, start } = newFlow(deps, session, attempt);
  await deps.store.createFlow(flow);
  return start;
}

export interface ConsumedFlow {
  kind: 'consumed';
  flow: FlowRecord;
  session: ConnectSessionRecord;
  /** The flow's binding cookie, to clear in the answer. */
  cookieName: string;
}

/**
 * The callback's first step, before `code` or `error` is looked at: consume the flow by state (exactly one
 * of concurrent callbacks gets it), then check that this browser holds the flow's binding cookie. Anything but
 * a consumed flow is already the callback's outcome: a failure, or the stored outcome of a replayed callback.
 */
export async function consumeFlow(
  deps: ConnectDeps,
  state: string | undefined,
  cookies: Record<string, string | undefined>,
): Promise<ConsumedFlow | CallbackOutcome> {
  if (!state) return failed('state_missing', 'The sign-in answer has no state. Start again from the app.');
  const secure = deps.config.secureCookies;
  const claim = await deps.store.consumeFlow(secretLookupKey(state), deps.now().toISOString());
  if (claim.outcome === 'unknown') {
    return failed('state_invalid', 'This sign-in was not started here, or too long ago. Start again from the app.');
  }
  const clearCookie = bindingCookieName(claim.flow.id, secure);
  if (claim.outcome === 'reused') {
    // A reload of the result, or the back button: the first answer stands, and Recall is not called again with
    // a spent code. No cookie is asked for (the first answer cleared it); the state, a secret only this browser's
    // history holds, is what finds the flow. A failed (or still running) flow stays state_reused.
    if (claim.connectionId !== null) {
      return { kind: 'connected', connectionId: claim.connectionId, session: claim.session, clearCookie, replayed: true };
    }
    return failed('state_reused', 'This sign-in was already completed or attempted.', { session: claim.session, clearCookie });
  }
  const { flow, session } = claim;
  if (flow.expiresAt <= deps.now().toISOString()) {
    return failed('state_expired', 'The sign-in took too long. Start again from the app.', { session, clearCookie });
  }
  const binding = readBindingCookie(cookies, flow.id, secure);
  if (binding === undefined) {
    return failed(
      'state_cookie_missing',
      'The browser did not send the sign-in cookie back (blocked cookies, another browser, or PUBLIC_URL not matching the address used).',
      { session, clearCookie },
    );
  }
  if (!constantTimeEqual(hashSecret(binding), flow.bindingHash)) {
    return failed('state_mismatch', 'This sign-in was started in another browser. Start again from the app.', { session, clearCookie });
  }
  return { kind: 'consumed', flow, session, cookieName: clearCookie };
}
