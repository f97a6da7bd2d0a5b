// What the gateway asks of Recall, in its own words. client.ts implements it over the generated SDK with
// auth, timeouts, retries and error mapping; tests may implement it with a fake.
import type { ZoomOauthApp, ZoomOauthCredential } from '../../generated/recall/types.gen.js';

export type { ZoomOauthApp, ZoomOauthCredential };

export interface AuthorizationCodeGrant {
  code: string;
  /** Byte for byte the redirect URI sent to Zoom's authorize page (never re-serialized through URL). */
  redirectUri: string;
  codeVerifier: string;
}

export interface CredentialFilter {
  userId?: string;
  accountId?: string;
  status?: 'healthy' | 'unhealthy';
}

export interface RecallApi {
  /** POST /zoom-oauth-credentials/. `created` is false when Recall updated an existing credential (200). */
  createCredential(grant: AuthorizationCodeGrant): Promise<{ credential: ZoomOauthCredential; created: boolean }>;
  /** GET /zoom-oauth-credentials/?oauth_app=<ours>&..., following `next` cursors to the end (bounded). */
  listCredentials(filter: CredentialFilter): Promise<ZoomOauthCredential[]>;
  /** GET /zoom-oauth-credentials/{id}/; a 404 is a RecallError with code `recall_not_found`. */
  retrieveCredential(id: string): Promise<ZoomOauthCredential>;
  /** DELETE /zoom-oauth-credentials/{id}/; a 404 counts as already gone. */
  deleteCredential(id: string): Promise<'deleted' | 'already_gone'>;
  /** POST /zoom-oauth-credentials/{id}/validate/. */
  validateCredential(id: string): Promise<void>;
  /** GET /zoom-oauth-apps/{id}/ for the configured app. */
  retrieveOauthApp(): Promise<ZoomOauthApp>;
}

/** The gateway's names for Recall's failures; all but the last two are codes of gateway.yaml's ProblemCode. */
export type RecallErrorCode =
  | 'recall_invalid_grant'
  | 'recall_rejected'
  | 'recall_unauthorized'
  | 'recall_forbidden'
  | 'recall_unavailable'
  | 'recall_conflict'
  | 'recall_not_found';

export class RecallError extends Error {
  override readonly name = 'RecallError';
  constructor(
    readonly code: RecallErrorCode,
    message: string,
    /** Recall's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Recall's legacy re-authorization answer: 400 with the *Zoom* id of the credential that already exists.
 * It is not a Recall id: find the credential by listing with this Zoom id, then delete it by its Recall id.
 */
export class RecallConflictError extends RecallError {
  constructor(
    readonly conflict: { kind: 'account'; conflictingZoomAccountId: string } | { kind: 'user'; conflictingZoomUserId: string },
    detail: string,
  ) {
    super('recall_conflict', detail, 400);
  }
}
