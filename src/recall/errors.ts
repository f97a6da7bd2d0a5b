// Every way a call to Recall can fail, turned into the gateway's RecallError codes in one place, with messages
// an operator can act on. Messages never carry the API key, the authorization code or the PKCE verifier:
// Recall's own `detail` is quoted, so it goes through `redact` in case Recall ever echoes what it was sent.
import type { ZodError } from 'zod';
import { RecallConflictError, RecallError } from './recall-api.js';
import type { CallOutcome, RecallOperation } from './call.js';
import { retryAfterMs } from './retry.js';

const UNAUTHORIZED = 'Recall rejected RECALL_API_KEY: wrong key, or a key of another region than RECALL_REGION';
const FORBIDDEN =
  "Recall's firewall refused the request; a localhost or 127.x redirect URI in the payload is the usual cause " + '(use a public URL, e.g. a tunnel)';
const INVALID_GRANT = 'Recall could not exchange the Zoom authorization code (expired or already used code, redirect URI or PKCE mismatch)';

/** The RecallError for an outcome that is not a success: an HTTP answer outside 2xx, a timeout, a network error. */
export function recallErrorFor(operation: RecallOperation, outcome: CallOutcome, secrets: readonly string[]): RecallError {
  if (outcome.kind === 'timeout') {
    return new RecallError('recall_unavailable', `Recall did not answer ${operation} within ${outcome.timeoutMs} ms`);
  }
  if (outcome.kind === 'network_error') {
    return new RecallError('recall_unavailable', `Could not reach Recall for ${operation} (${networkCause(outcome.cause)})`);
  }
  const detail = redact(detailOf(outcome.body), secrets);
  return errorForStatus(operation, outcome.status, outcome.headers, detail, outcome.body);
}

function errorForStatus(operation: RecallOperation, status: number, headers: Headers, detail: string, body: unknown): RecallError {
  if (status === 400) return badRequest(operation, detail, body);
  if (status === 401) return new RecallError('recall_unauthorized', UNAUTHORIZED, status);
  if (status === 403) return new RecallError('recall_forbidden', FORBIDDEN, status);
  if (status === 404) return new RecallError('recall_not_found', notFoundMessage(operation), status);
  if (status === 429) return new RecallError('recall_unavailable', rateLimitedMessage(operation, headers), status);
  if (status >= 400 && status < 500) {
    return new RecallError('recall_rejected', withDetail(`Recall answered ${status} to ${operation}`, detail), status);
  }
  return new RecallError('recall_unavailable', `Recall is unavailable (${status} on ${operation})`, status);
}

function badRequest(operation: RecallOperation, detail: string, body: unknown): RecallError {
  const conflict = conflictOf(body);
  // Legacy re-authorization: the ids are Zoom ids, to be looked up with list, never deleted as Recall ids.
  if (conflict) return new RecallConflictError(conflict, detail);
  // On create, a 400 without a conflict is Recall's failed token exchange with Zoom: the user must start over.
  if (operation === 'create') return new RecallError('recall_invalid_grant', withDetail(INVALID_GRANT, detail), 400);
  return new RecallError('recall_rejected', withDetail(`Recall rejected ${operation}`, detail), 400);
}

function conflictOf(body: unknown): RecallConflictError['conflict'] | undefined {
  if (!isRecord(body)) return undefined;
  const account = body.conflicting_zoom_account_id;
  if (typeof account === 'string' && account) return { kind: 'account', conflictingZoomAccountId: account };
  const user = body.conflicting_zoom_user_id;
  if (typeof user === 'string' && user) return { kind: 'user', conflictingZoomUserId: user };
  return undefined;
}

function notFoundMessage(operation: RecallOperation): string {
  return operation === 'app'
    ? 'Recall has no Zoom OAuth App with the configured id (check the app id and that it belongs to this region)'
    : 'Recall has no Zoom OAuth Credential with this id';
}

function rateLimitedMessage(operation: RecallOperation, headers: Headers): string {
  const waitMs = retryAfterMs(headers.get('retry-after'));
  const wait = waitMs === undefined ? '' : `; it asked to wait ${Math.ceil(waitMs / 1000)} s`;
  return `Recall is rate limiting the gateway on ${operation}${wait}`;
}

/** The SDK refused to send: the request breaks Recall's schema (e.g. a redirect URI that is not a URI). */
export function rejectedBeforeSending(operation: RecallOperation, error: ZodError): RecallError {
  // Only paths and issue codes: zod issues may carry the rejected input, which can be the code or verifier.
  const issues = error.issues.map((issue) => `${issue.path.join('.') || '(request)'}: ${issue.code}`).join(', ');
  return new RecallError('recall_rejected', `The ${operation} request was not sent: it does not match Recall's API (${issues})`);
}

/** Recall's (Django REST framework) message: `detail`, or field errors keyed by field; nothing from an HTML page. */
function detailOf(body: unknown): string {
  if (!isRecord(body)) return '';
  if (typeof body.detail === 'string') return body.detail;
  const text = JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function withDetail(message: string, detail: string): string {
  return detail ? `${message}: ${detail}` : message;
}

function networkCause(cause: unknown): string {
  // undici's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND...) in `cause`.
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (isRecord(inner) && typeof inner.code === 'string') return inner.code;
  return inner instanceof Error ? inner.name : 'unknown error';
}

export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length > 0).reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
