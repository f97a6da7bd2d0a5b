import type { ZoomOauthCredential } from '../recall/recall-api.js';
import type { CredentialSnapshot } from '../store/store.js';

/** What Recall said about a credential, in the store's words. A credential Recall just answered without a status works. */
export function credentialSnapshot(credential: ZoomOauthCredential): CredentialSnapshot {
  return {
    id: credential.id,
    status: credential.status ?? 'healthy',
    userId: credential.user_id ?? null,
    accountId: credential.account_id ?? null,
    meetingSyncStatus: credential.meeting_sync_status ?? null,
    createdAt: credential.created_at ?? null,
  };
}
