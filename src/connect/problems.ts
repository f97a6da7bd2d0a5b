// The gateway's named failures: every one is a code of gateway.yaml's closed ProblemCode enum, with the
// status and title it is always answered with, and the one mapping (toProblem) from anything thrown to the
// problem it is answered with. Rendered by src/plugins/problems.ts and the flow's responder (src/pages/).
import type { Problem, ProblemCode } from '../../generated/gateway/types.gen.js';
import { RecallError } from '../recall/recall-api.js';
import { StoreUnavailableError } from '../store/store.js';

export type { Problem, ProblemCode };

const catalogue: Record<ProblemCode, { status: number; title: string }> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  not_found: { status: 404, title: 'Not found' },
  not_connected: { status: 404, title: 'Not connected' },
  rate_limited: { status: 429, title: 'Too many requests' },
  return_to_not_allowed: { status: 400, title: 'return_to not allowed' },
  session_invalid: { status: 400, title: 'Unknown connect link' },
  session_expired: { status: 400, title: 'Connect session expired' },
  session_used: { status: 400, title: 'Connect link already used' },
  launch_not_from_app: { status: 403, title: 'Not launched from the app' },
  state_missing: { status: 400, title: 'State missing' },
  state_invalid: { status: 400, title: 'Unknown state' },
  state_expired: { status: 400, title: 'Sign-in took too long' },
  state_reused: { status: 400, title: 'State already used' },
  state_cookie_missing: { status: 400, title: 'Binding cookie missing' },
  state_mismatch: { status: 400, title: 'Binding cookie mismatch' },
  access_denied: { status: 400, title: 'Access denied at Zoom' },
  zoom_error: { status: 400, title: 'Zoom returned an error' },
  code_missing: { status: 400, title: 'Authorization code missing' },
  recall_invalid_grant: { status: 400, title: 'Authorization code rejected' },
  recall_conflict_unresolved: { status: 409, title: 'Existing credential could not be replaced' },
  recall_unauthorized: { status: 502, title: 'Recall rejected the gateway' },
  recall_forbidden: { status: 502, title: "Recall's firewall refused the request" },
  recall_unavailable: { status: 503, title: 'Recall unavailable' },
  recall_rejected: { status: 502, title: 'Recall rejected the request' },
  store_unavailable: { status: 503, title: 'Database unavailable' },
  internal_error: { status: 500, title: 'Internal error' },
};

export const problemStatus = (code: ProblemCode) => catalogue[code].status;

export class GatewayProblem extends Error {
  override readonly name = 'GatewayProblem';
  constructor(
    readonly code: ProblemCode,
    /** A sentence a person can act on; never a secret (code, state, token, verifier, key). */
    readonly detail: string,
    readonly errors?: Problem['errors'],
  ) {
    super(`${code}: ${detail}`);
  }

  get status(): number {
    return problemStatus(this.code);
  }
}

export function problemBody(code: ProblemCode, detail: string, extra: Pick<Problem, 'instance' | 'errors'> = {}): Problem {
  const { status, title } = catalogue[code];
  return { type: `urn:zoom-connect-gateway:problem:${code}`, title, status, detail, code, ...extra };
}

export const storeUnavailable = () =>
  new GatewayProblem('store_unavailable', "The gateway's database is not reachable right now; nothing was changed. Try again shortly.");

/**
 * The one mapping from anything thrown to the problem it is answered with: the gateway's own problems as they
 * are; the store gone (store_unavailable); Recall's failures as the RecallError itself names them (decided once,
 * at the recall/ boundary: src/recall/problem.ts); a client error the HTTP layer raised before any handler ran
 * (a body it cannot parse, a wrong Content-Type: it carries a 4xx statusCode); anything else is an internal
 * error, with nothing internal in the answer.
 */
export function toProblem(error: unknown): GatewayProblem {
  if (error instanceof GatewayProblem) return error;
  if (error instanceof StoreUnavailableError) return storeUnavailable();
  if (error instanceof RecallError) return new GatewayProblem(error.problem, error.userDetail);
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (statusCode === 429) return new GatewayProblem('rate_limited', 'Too many requests; retry after the time in Retry-After.');
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && error instanceof Error) {
    return new GatewayProblem('invalid_request', error.message);
  }
  return new GatewayProblem('internal_error', 'Something went wrong on our side; try again.');
}
