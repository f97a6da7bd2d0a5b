// A flow is one trip through Zoom: random state, PKCE verifier and browser-binding value, created by a
// launch (or by the one automatic restart) and consumed, atomically and once, by the callback. Modelled on
// Auth.js's checks: each check is a create/use pair, each failure a named code.
import type { ConnectSessionRecord, FlowRecord } from '../store/store.js';
import { buildAuthorizeUrl } from './authorize-url.js';
import { bindingCookieName, type BindingCookie } from './binding-cookie.js';
import { isoAfter, type ConnectDeps } from './deps.js';
import { FlowProblem } from './flow-problem.js';
import { constantTimeEqual, hashSecret, pkceChallenge, randomSecret } from './secrets.js';

export interface FlowStart {
  /** Where the browser goes next: Zoom's authorize page. */
  authorizeUrl: string;
  cookie: BindingCookie;
}

/** Uses a launch code (once) and starts the session's first flow. */
export async function launchFlow(deps: ConnectDeps, launchCode: string): Promise<FlowStart> {
  const claim = await deps.store.claimLaunch(hashSecret(launchCode), deps.now().toISOString());
  if (claim.outcome === 'unknown') {
    throw new FlowProblem('session_invalid', 'This connect link is not valid. Start again from the app.');
  }
  // Expiry first: an expired link says so however often it is opened (the first try marks it used).
  if (claim.session.expiresAt <= deps.now().toISOString()) {
    throw new FlowProblem('session_expired', 'This connect link has expired. Start again from the app.', claim.session);
  }
  if (claim.outcome === 'used') {
    throw new FlowProblem('session_used', 'This connect link was already used. Start again from the app.', claim.session);
  }
  return startFlow(deps, claim.session, 1);
}

export async function startFlow(deps: ConnectDeps, session: ConnectSessionRecord, attempt: number): Promise<FlowStart> {
  const { config } = deps;
  const state = randomSecret();
  // ZOOM_PKCE=off: an empty verifier, so the callback sends none, even if the setting changes meanwhile.
  const codeVerifier = config.zoom.pkce === 'S256' ? randomSecret() : '';
  const binding = randomSecret();
  const now = deps.now();
  const flow: FlowRecord = {
    id: randomSecret(12),
    stateHash: hashSecret(state),
    bindingHash: hashSecret(binding),
    sessionId: session.id,
    codeVerifier,
    issuer: new URL(config.zoom.authorizeUrl).origin,
    attempt,
    createdAt: now.toISOString(),
    expiresAt: isoAfter(now, config.flowTtlS),
    consumedAt: null,
  };
  await deps.store.createFlow(flow);
  return {
    authorizeUrl: buildAuthorizeUrl(config, { state, codeChallenge: codeVerifier ? pkceChallenge(codeVerifier) : null }),
    cookie: { name: bindingCookieName(flow.id, config.secureCookies), value: binding, maxAgeS: config.flowTtlS },
  };
}

export interface ConsumedFlow {
  flow: FlowRecord;
  session: ConnectSessionRecord;
  /** The flow's binding cookie, to clear in the answer. */
  cookieName: string;
}

/**
 * The callback's first step, before `code` or `error` is looked at: consume the flow by state (exactly one
 * of concurrent callbacks gets it), then check that this browser holds the flow's binding cookie.
 */
export async function consumeFlow(deps: ConnectDeps, state: string | undefined, cookies: Record<string, string | undefined>): Promise<ConsumedFlow> {
  if (!state) throw new FlowProblem('state_missing', 'The sign-in answer has no state. Start again from the app.');
  const claim = await deps.store.consumeFlow(hashSecret(state), deps.now().toISOString());
  if (claim.outcome === 'unknown') {
    throw new FlowProblem('state_invalid', 'This sign-in was not started here, or too long ago. Start again from the app.');
  }
  const cookieName = bindingCookieName(claim.flow.id, deps.config.secureCookies);
  if (claim.outcome === 'reused') {
    throw new FlowProblem('state_reused', 'This sign-in was already completed or attempted.', claim.session, cookieName);
  }
  const { flow, session } = claim;
  if (flow.expiresAt <= deps.now().toISOString()) {
    throw new FlowProblem('state_expired', 'The sign-in took too long. Start again from the app.', session, cookieName);
  }
  const binding = cookies[cookieName];
  if (binding === undefined) {
    throw new FlowProblem(
      'state_cookie_missing',
      'The browser did not send the sign-in cookie back (blocked cookies, another browser, or PUBLIC_URL not matching the address used).',
      session,
      cookieName,
    );
  }
  if (!constantTimeEqual(hashSecret(binding), flow.bindingHash)) {
    throw new FlowProblem('state_mismatch', 'This sign-in was started in another browser. Start again from the app.', session, cookieName);
  }
  return { flow, session, cookieName };
}
