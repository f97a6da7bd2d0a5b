// The launch: the app's own page POSTs a form to connect_url, and only then is the launch code used and a flow
// started. A connect link works in whichever browser uses it first, so a link handed to someone else's browser
// (a mail, a page on another site that navigates or posts to it) would connect *their* Zoom account to the
// link's end user (link-swap). Browsers set Origin on every form POST and no page can forge it: requiring it to
// be one of ALLOWED_RETURN_ORIGINS ties the launch to the app's own pages, where only the end user's own links
// are launched. Anything else starts nothing and spends nothing, so the app's own launch still works after.
import type { ConnectDeps } from './deps.js';
import { failed, type FlowStart, type LaunchOutcome } from './flow-outcome.js';
import { newFlow } from './flow.js';
import { hashSecret } from './secrets.js';

export interface LaunchRequest {
  /** The launch code from connect_url's query. */
  queryCode?: string;
  /** The launch code as a form field, for forms that carry it in their body. */
  formCode?: string;
  /** The request's Origin header, as the browser sent it. */
  origin?: string;
}

const startAgain = 'Nothing was started. Go back to the app and press Connect again.';

/** A GET of connect_url: a link opened by a person, an unfurler or a scanner. Never a launch. */
export function refuseNavigation(): LaunchOutcome {
  return refused(`This connect link works only when the app opens it. ${startAgain}`);
}

/** Uses a launch code (once) and starts the session's first flow, when the app's own page asked. */
export async function launchFlow(deps: ConnectDeps, request: LaunchRequest): Promise<LaunchOutcome> {
  if (request.origin === 'null') {
    // Fetch sends Origin: null on a POST whose referrer policy is no-referrer (or same-origin, cross-origin):
    // an app page with that policy can never launch, so say so.
    return refused(
      'This connect link works only when the app opens it, and the browser did not say which page opened it (Origin: null): ' +
        `the launching page probably sends Referrer-Policy: no-referrer. ${startAgain}`,
    );
  }
  if (request.origin === undefined || !deps.config.allowedReturnOrigins.includes(request.origin)) {
    return refused(`This connect link works only when the app opens it. ${startAgain}`);
  }
  const launchCode = request.queryCode ?? request.formCode;
  if (launchCode === undefined) {
    return failed('invalid_request', 'The connect link has no launch code.', { errors: [{ path: 'query.launch', message: 'is required' }] });
  }
  if (request.formCode !== undefined && request.formCode !== launchCode) {
    return failed('invalid_request', 'The launch code is given twice, with two values.', {
      errors: [{ path: 'body.launch', message: 'differs from query.launch' }],
    });
  }

  // The claim and the first flow are one write: a failure in between would spend the link and start nothing.
  let start: FlowStart | undefined;
  const now = deps.now().toISOString();
  const claim = await deps.store.claimLaunch(hashSecret(launchCode), now, (session) => {
    // An expired link is spent by its first try, and starts nothing.
    if (session.expiresAt <= now) return undefined;
    const made = newFlow(deps, session, 1);
    start = made.start;
    return made.flow;
  });
  if (claim.outcome === 'unknown') return failed('session_invalid', 'This connect link is not valid. Start again from the app.');
  const { session } = claim;
  // Expiry first: an expired link says so however often it is opened (the first try marks it used).
  if (session.expiresAt <= now) {
    return failed('session_expired', 'This connect link has expired. Start again from the app.', { session });
  }
  if (claim.outcome === 'used' || start === undefined) {
    return failed('session_used', 'This connect link was already used. Start again from the app.', { session });
  }
  return { kind: 'started', start };
}

const refused = (detail: string): LaunchOutcome => ({ kind: 'refused', failure: { code: 'launch_not_from_app', detail } });
