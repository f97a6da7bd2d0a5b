// What the gateway asks of Recall, in its own words. client.ts implements it over the generated SDK with
// auth, timeouts, retries and error mapping; tests may implement it with a fake.
import type { ZoomOauthApp, ZoomOauthCredential } from '../../generated/recall/types.gen.js';
import type { CredentialLogEntry } from './credential-logs.js';
import type { CreateAttempt } from './idempotency.js';
import { recallProblemOf, type RecallProblemCode } from './problem.js';

export type { ZoomOauthApp, ZoomOauthCredential };

/** Which Zoom id an app's credentials stand for: the Zoom user (user-level app) or the Zoom account. */
export type ZoomAppKind = ZoomOauthApp['kind'];

export interface AuthorizationCodeGrant {
  code: string;
  /** Byte for byte the redirect URI sent to Zoom's authorize page (never re-serialized through URL). */
  redirectUri: string;
  /** The PKCE verifier; null when the authorize request carried no challenge (ZOOM_PKCE=off). */
  codeVerifier: string | null;
}

export interface CredentialFilter {
  userId?: string;
  accountId?: string;
  status?: 'healthy' | 'unhealthy';
}

export interface RecallApi {
  /**
   * POST /zoom-oauth-credentials/ with an Idempotency-Key derived from the code, so a lost answer is retried
   * safely. `attempt: 'after_conflict'` is the create sent again once a legacy conflict was cleared (its own key).
   * `created` is false when Recall updated an existing credential (200).
   */
  createCredential(
    grant: AuthorizationCodeGrant,
    options?: { attempt?: CreateAttempt },
  ): Promise<{ credential: ZoomOauthCredential; created: boolean }>;
  /** GET /zoom-oauth-credentials/?oauth_app=<ours>&..., following `next` cursors to the end (bounded): lookups. */
  listCredentials(filter: CredentialFilter): Promise<ZoomOauthCredential[]>;
  /** One page of GET /zoom-oauth-credentials/?oauth_app=<ours>&...; `next` is the next page's cursor, or null. */
  listCredentialPage(filter: CredentialFilter, cursor?: string): Promise<{ results: ZoomOauthCredential[]; next: string | null }>;
  /** GET /zoom-oauth-credentials/{id}/; a 404 is a RecallError with code `recall_not_found`. */
  retrieveCredential(id: string): Promise<ZoomOauthCredential>;
  /** DELETE /zoom-oauth-credentials/{id}/; a 404 counts as already gone. */
  deleteCredential(id: string): Promise<'deleted' | 'already_gone'>;
  /** POST /zoom-oauth-credentials/{id}/validate/. */
  validateCredential(id: string): Promise<void>;
  /** GET /zoom-oauth-credential-logs/?credential=<id>&ordering=-created_at: the first page, newest first. */
  listCredentialLogs(credentialId: string): Promise<CredentialLogEntry[]>;
  /** GET /zoom-oauth-apps/{id}/ for the configured app. */
  retrieveOauthApp(): Promise<ZoomOauthApp>;
}

/**
 * The gateway's names for Recall's failures. Most are codes of gateway.yaml's ProblemCode; `recall_conflict` (a
 * legacy conflict the flow may still resolve) and `recall_not_found` (an id Recall does not know) are
 * distinctions the callers need before a failure reaches anyone.
 */
export type RecallErrorCode =
  | 'recall_invalid_grant'
  | 'recall_rejected'
  | 'recall_unauthorized'
  | 'recall_forbidden'
  | 'recall_unavailable'
  | 'recall_conflict'
  | 'recall_conflict_unresolved'
  | 'recall_not_found';

export interface RecallErrorDetails {
  /** Recall's HTTP status, when it answered. */
  status?: number;
  /** Recall's own words (its `detail`, or its field errors), secrets redacted: for the operator's log. */
  recallDetail?: string;
}

/**
 * A failed call to Recall, self-describing: `code` for the callers' decisions, `message` for the operator,
 * and `problem` + `userDetail` for what a user or API client is told (problem.ts).
 */
export class RecallError extends Error {
  override readonly name = 'RecallError';
  readonly status?: number;
  readonly recallDetail?: string;
  constructor(
    readonly code: RecallErrorCode,
    message: string,
    details: RecallErrorDetails = {},
  ) {
    super(message);
    this.status = details.status;
    this.recallDetail = details.recallDetail;
  }

  /** The gateway problem code this failure becomes. */
  get problem(): RecallProblemCode {
    return recallProblemOf(this.code).problem;
  }

  /** What the person is told: a sentence without Recall's internals or any secret. */
  get userDetail(): string {
    return recallProblemOf(this.code).userDetail;
  }
}

/** The Zoom ids a legacy conflict names; Recall's schema lets either (or both) be null. */
export interface ConflictingZoomIds {
  zoomAccountId: string | null;
  zoomUserId: string | null;
}

/**
 * Recall's legacy re-authorization answer: 400 with the *Zoom* id of the credential that already exists.
 * It is not a Recall id: find the credential by listing with this Zoom id, then delete it by its Recall id.
 * Only the id of the app's own kind is usable (`zoomIdFor`): on a user-level app, an account id would list the
 * credentials of every colleague in that Zoom account.
 */
export class RecallConflictError extends RecallError {
  constructor(
    readonly conflicting: ConflictingZoomIds,
    detail: string,
  ) {
    super('recall_conflict', detail, { status: 400, recallDetail: detail });
  }

  zoomIdFor(kind: ZoomAppKind): { accountId: string } | { userId: string } | undefined {
    if (kind === 'account_level') return this.conflicting.zoomAccountId ? { accountId: this.conflicting.zoomAccountId } : undefined;
    return this.conflicting.zoomUserId ? { userId: this.conflicting.zoomUserId } : undefined;
  }
}
