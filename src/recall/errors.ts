// Every way a call to Recall can fail, turned into the gateway's RecallError codes in one place, with messages
// an operator can act on. Messages never carry the API key, the authorization code or the PKCE verifier:
// Recall's own words are quoted, so they go through `redact` in case Recall ever echoes what it was sent.
import type { ZodError } from 'zod';
import { RecallConflictError, RecallError } from './recall-api.js';
import type { CallOutcome, RecallOperation } from './call.js';
import { retryAfterMs } from './retry.js';

const UNAUTHORIZED = 'Recall rejected RECALL_API_KEY: wrong key, or a key of another region than RECALL_REGION';
const FORBIDDEN =
  "Recall's firewall refused the request; a localhost or 127.x redirect URI in the payload is the usual cause " + '(use a public URL, e.g. a tunnel)';
const INVALID_GRANT = 'Recall could not exchange the Zoom authorization code (expired or already used code, redirect URI or PKCE mismatch)';
const CONFLICT_WITHOUT_ID = 'Recall says a credential already exists for this Zoom identity but names no Zoom id to find it by';
const REJECTED_CREATE = 'Recall refused the create';

// Recall's words for "a credential already exists" (the legacy conflict), with or without the Zoom id.
const ALREADY_EXISTS = /already exists/i;
// What a failed token exchange says, in Recall's or Zoom's words: only such an answer is an invalid grant.
const INVALID_GRANT_WORDS = /invalid[\s_-]?grant|authorization code|redirect[\s_-]?ur[il]/i;

/** The RecallError for an outcome that is not a success: an HTTP answer outside 2xx, a timeout, a network error. */
export function recallErrorFor(operation: RecallOperation, outcome: CallOutcome, secrets: readonly string[]): RecallError {
  if (outcome.kind === 'timeout') {
    return new RecallError('recall_unavailable', `Recall did not answer ${operation} within ${outcome.timeoutMs} ms`);
  }
  if (outcome.kind === 'network_error') {
    return new RecallError('recall_unavailable', `Could not reach Recall for ${operation} (${networkCause(outcome.cause)})`);
  }
  const said = redact(recallWords(outcome.body), secrets);
  return errorForStatus(operation, outcome.status, outcome.headers, said, outcome.body);
}

function errorForStatus(operation: RecallOperation, status: number, headers: Headers, said: string, body: unknown): RecallError {
  const details = { status, recallDetail: said || undefined };
  if (status === 400) return badRequest(operation, said, body);
  if (status === 401) return new RecallError('recall_unauthorized', UNAUTHORIZED, details);
  if (status === 403) return new RecallError('recall_forbidden', FORBIDDEN, details);
  if (status === 404) return new RecallError('recall_not_found', notFoundMessage(operation), details);
  if (status === 409)
    return new RecallError('recall_unavailable', `Recall is still processing an earlier ${operation} with the same idempotency key`, details);
  if (status === 429) return new RecallError('recall_unavailable', rateLimitedMessage(operation, headers), details);
  if (status >= 400 && status < 500) {
    return new RecallError('recall_rejected', withDetail(`Recall answered ${status} to ${operation}`, said), details);
  }
  return new RecallError('recall_unavailable', `Recall is unavailable (${status} on ${operation})`, details);
}

function badRequest(operation: RecallOperation, said: string, body: unknown): RecallError {
  const details = { status: 400, recallDetail: said || undefined };
  if (operation !== 'create') return new RecallError('recall_rejected', withDetail(`Recall rejected ${operation}`, said), details);
  const record = isRecord(body) ? body : {};
  const conflicting = {
    zoomAccountId: nonEmpty(record.conflicting_zoom_account_id),
    zoomUserId: nonEmpty(record.conflicting_zoom_user_id),
  };
  // Legacy re-authorization: the ids are Zoom ids, to be looked up with list, never deleted as Recall ids.
  if (conflicting.zoomAccountId || conflicting.zoomUserId) return new RecallConflictError(conflicting, said);
  // A conflict that names no Zoom id cannot be resolved, and is no invalid grant: a new code would meet it again.
  const detail = typeof record.detail === 'string' ? record.detail : '';
  if ('conflicting_zoom_account_id' in record || 'conflicting_zoom_user_id' in record || ALREADY_EXISTS.test(detail)) {
    return new RecallError('recall_conflict_unresolved', withDetail(CONFLICT_WITHOUT_ID, said), details);
  }
  // Only Recall's failed token exchange tells the user to go through Zoom again; field errors and anything else
  // are refusals the operator has to read.
  if (messagesOf(body).some((message) => INVALID_GRANT_WORDS.test(message))) {
    return new RecallError('recall_invalid_grant', withDetail(INVALID_GRANT, said), details);
  }
  return new RecallError('recall_rejected', withDetail(REJECTED_CREATE, said), details);
}

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

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

/**
 * The messages of a Django REST framework error body: `detail`, or field errors keyed by field (nested for
 * nested objects), as "field: message"; nothing from an HTML page.
 */
function fieldMessages(body: unknown, path = ''): { field: string; message: string }[] {
  if (typeof body === 'string') return [{ field: path, message: body }];
  if (Array.isArray(body)) return body.flatMap((item) => fieldMessages(item, path));
  if (!isRecord(body)) return [];
  return Object.entries(body).flatMap(([key, value]) => fieldMessages(value, path ? `${path}.${key}` : key));
}

const messagesOf = (body: unknown) => fieldMessages(body).map((entry) => entry.message);

/** Recall's own words for the log: its `detail`, else its field errors; bounded. */
function recallWords(body: unknown): string {
  if (!isRecord(body)) return '';
  const text =
    typeof body.detail === 'string'
      ? body.detail
      : fieldMessages(body)
          .map(({ field, message }) => (field ? `${field}: ${message}` : message))
          .join('; ');
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
