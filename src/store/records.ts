// The one place where rows (snake_case, as stored) become records (camelCase, as store.ts speaks) and back.

import type { ConnectionRow, ConnectSessionRow, FlowRow } from './schema.js';
import type { ConnectionRecord, ConnectionStatus, ConnectSessionRecord, FlowRecord, RecallStatus } from './store.js';

export function toConnectSession(row: ConnectSessionRow): ConnectSessionRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    launchHash: row.launch_hash,
    endUserId: row.end_user_id,
    returnTo: row.return_to,
    mode: row.mode,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    launchedAt: row.launched_at,
  };
}

export function connectSessionRow(session: ConnectSessionRecord): ConnectSessionRow {
  return {
    id: session.id,
    token_hash: session.tokenHash,
    launch_hash: session.launchHash,
    end_user_id: session.endUserId,
    return_to: session.returnTo,
    mode: session.mode,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
    launched_at: session.launchedAt,
  };
}

export function toFlow(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    stateHash: row.state_hash,
    bindingHash: row.binding_hash,
    sessionId: row.session_id,
    codeVerifier: row.code_verifier,
    issuer: row.issuer,
    // PostgreSQL drivers may hand integers back as strings; the record promises a number.
    attempt: Number(row.attempt),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}

export function flowRow(flow: FlowRecord): FlowRow {
  return {
    id: flow.id,
    state_hash: flow.stateHash,
    binding_hash: flow.bindingHash,
    session_id: flow.sessionId,
    code_verifier: flow.codeVerifier,
    issuer: flow.issuer,
    attempt: flow.attempt,
    created_at: flow.createdAt,
    expires_at: flow.expiresAt,
    consumed_at: flow.consumedAt,
    connection_id: null,
  };
}

export function toConnection(row: ConnectionRow): ConnectionRecord {
  return {
    id: row.id,
    endUserId: row.end_user_id,
    status: row.status,
    recallCredentialId: row.recall_credential_id,
    recallStatus: row.recall_status,
    zoomUserId: row.zoom_user_id,
    zoomAccountId: row.zoom_account_id,
    meetingSyncStatus: row.meeting_sync_status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastCheckedAt: row.last_checked_at,
    reauthReason: row.reauth_reason,
  };
}

/** A connection is usable exactly when Recall calls its credential healthy; anything else needs the user back. */
export function connectionStatusFor(recallStatus: RecallStatus): ConnectionStatus {
  return recallStatus === 'healthy' ? 'connected' : 'needs_reauth';
}
