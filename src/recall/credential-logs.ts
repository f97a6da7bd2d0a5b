// Why a credential went unhealthy: Recall's status never says, its credential log does (a refused token refresh,
// a revoked authorization). The latest entry, bounded, becomes the connection's reauth_reason.
import type { RecallApi } from './recall-api.js';
import { RecallError } from './recall-api.js';
import type { RecallLogger } from './retry.js';

/** The connection's reauth_reason is at most this long (gateway.yaml's maxLength). */
export const REAUTH_REASON_MAX = 300;

/** When Recall logged nothing (yet) about the credential, or its log could not be read. */
export const UNHEALTHY_WITHOUT_LOG = 'Recall reports the Zoom authorization unhealthy and logged no reason.';

export interface CredentialLogEntry {
  message: string;
  created_at: string;
}

/** The latest entry of a credential's log, newest first as Recall was asked to order them. */
export function reauthReasonFrom(entries: readonly CredentialLogEntry[]): string {
  const latest = [...entries].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  const message = latest?.message.replace(/\s+/g, ' ').trim();
  if (!message) return UNHEALTHY_WITHOUT_LOG;
  return message.length > REAUTH_REASON_MAX ? `${message.slice(0, REAUTH_REASON_MAX - 1)}…` : message;
}

/**
 * The reason to keep on the connections of an unhealthy credential. A log that cannot be read does not stop the
 * health update: the reason then says only that Recall reports it unhealthy.
 */
export async function readReauthReason(recall: RecallApi, credentialId: string, log?: RecallLogger): Promise<string> {
  try {
    return reauthReasonFrom(await recall.listCredentialLogs(credentialId));
  } catch (error) {
    log?.warn({ credentialId, code: error instanceof RecallError ? error.code : 'error' }, "could not read Recall's log of an unhealthy credential");
    return UNHEALTHY_WITHOUT_LOG;
  }
}
