// Connections as the API shows them: list, read, disconnect and refresh from Recall.
import type { Connection, ConnectionPage, ConnectionStatus } from '../../generated/gateway/types.gen.js';
import { readReauthReason } from '../recall/credential-logs.js';
import { RecallError } from '../recall/recall-api.js';
import type { ConnectionRecord } from '../store/store.js';
import type { ConnectDeps } from './deps.js';
import { checkIdentifier } from './identifiers.js';
import { GatewayProblem, toProblem } from './problems.js';
import { credentialSnapshot } from './callback.js';
import { recordCredentialDeleted } from './registration.js';

export function toApiConnection(record: ConnectionRecord): Connection {
  return {
    id: record.id,
    end_user_id: record.endUserId,
    status: record.status,
    recall_credential_id: record.recallCredentialId,
    recall_status: record.recallStatus,
    zoom_user_id: record.zoomUserId,
    zoom_account_id: record.zoomAccountId,
    meeting_sync_status: record.meetingSyncStatus,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    last_checked_at: record.lastCheckedAt,
    // Events recorded before the field existed carry none.
    reauth_reason: record.reauthReason ?? null,
  };
}

// The cursor is opaque to clients: a keyset position, base64url-encoded.
const encodeCursor = (record: ConnectionRecord) => Buffer.from(JSON.stringify([record.createdAt, record.id])).toString('base64url');

// Only a position this API could have issued is accepted: a row's ISO-8601 creation time and UUID.
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const [createdAt, id] = Array.isArray(position) && position.length === 2 ? position : [];
    if (typeof createdAt === 'string' && isoTimestamp.test(createdAt) && typeof id === 'string' && uuid.test(id)) return { createdAt, id };
  } catch {
    // reported below
  }
  throw new GatewayProblem('invalid_request', 'cursor is not one this API returned', [{ path: 'query.cursor', message: 'unknown cursor' }]);
}

export async function listConnections(
  deps: ConnectDeps,
  query: { end_user_id?: string; status?: ConnectionStatus; limit?: number; cursor?: string },
): Promise<ConnectionPage> {
  if (query.end_user_id !== undefined) checkIdentifier(query.end_user_id, 'query.end_user_id');
  const limit = query.limit ?? 20;
  const rows = await deps.store.listConnections({
    endUserId: query.end_user_id,
    status: query.status,
    limit: limit + 1,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  });
  const items = rows.slice(0, limit);
  return { items: items.map(toApiConnection), next_cursor: rows.length > limit ? encodeCursor(items[items.length - 1]!) : null };
}

export async function findConnection(deps: ConnectDeps, id: string): Promise<ConnectionRecord> {
  const record = await deps.store.getConnection(id);
  if (!record) throw new GatewayProblem('not_found', `No connection has the id ${id}.`);
  return record;
}

/** The end user's connection, or undefined when there is none (a page asking whether to show Connect). */
export const connectionOfEndUser = (deps: ConnectDeps, endUserId: string): Promise<ConnectionRecord | undefined> =>
  deps.store.getConnectionByEndUser(endUserId);

export async function findConnectionOfEndUser(deps: ConnectDeps, endUserId: string): Promise<ConnectionRecord> {
  const record = await connectionOfEndUser(deps, endUserId);
  if (!record) throw new GatewayProblem('not_connected', 'This end user has not connected Zoom.');
  return record;
}

/**
 * Disconnects: deletes the Recall credential unless another connection still uses it (an account-level
 * app shares one), then the row. Recall's 404 means already gone; any other Recall failure keeps the row,
 * so the connection never claims to be gone while Recall still holds its credential.
 */
export async function disconnect(deps: ConnectDeps, record: ConnectionRecord): Promise<void> {
  const credentialId = record.recallCredentialId;
  const lastUser = credentialId !== null && (await deps.store.countCredentialUsers(credentialId, record.id)) === 0;
  if (lastUser) await deleteCredentialAtRecall(deps, credentialId);
  await deps.store.deleteConnection(record.id, { now: deps.now().toISOString(), recordEvents: deps.config.webhook !== null });
  if (credentialId === null || lastUser) return;
  // Two users of one credential disconnecting at once each saw the other's row and left the credential to
  // the other: whoever finds no row left after its own delete makes sure Recall lets go of it too.
  if ((await deps.store.countCredentialUsers(credentialId)) > 0) return;
  await deleteCredentialAtRecall(deps, credentialId).catch((error: unknown) => {
    // The row is gone already: the operator has to remove the credential at Recall.
    deps.log.warn({ credentialId, code: toProblem(error).code }, 'could not delete an unused Recall credential');
  });
}

async function deleteCredentialAtRecall(deps: ConnectDeps, credentialId: string): Promise<void> {
  await deps.recall.deleteCredential(credentialId);
  // Recall confirmed it gone: no callback Recall answered with it before may save a connection onto it now.
  await recordCredentialDeleted(deps, credentialId);
}

/** Re-reads the credential from Recall (optionally asking Recall to re-validate it with Zoom first). */
export async function refreshConnection(deps: ConnectDeps, record: ConnectionRecord, validate: boolean): Promise<ConnectionRecord> {
  const credentialId = record.recallCredentialId;
  if (!credentialId) return record;
  const recordEvents = deps.config.webhook !== null;
  try {
    if (validate) await deps.recall.validateCredential(credentialId);
    const credential = credentialSnapshot(await deps.recall.retrieveCredential(credentialId));
    // Turning needs_reauth (or without a reason yet): Recall's log of the credential says why.
    const newlyUnhealthy = credential.status === 'unhealthy' && (record.status !== 'needs_reauth' || record.reauthReason === null);
    const updated = await deps.store.recordCredentialHealth(credentialId, {
      recallStatus: credential.status,
      meetingSyncStatus: credential.meetingSyncStatus,
      checkedAt: deps.now().toISOString(),
      recordEvents,
      reauthReason: newlyUnhealthy ? await readReauthReason(deps.recall, credentialId, deps.log) : undefined,
    });
    return updated.find((connection) => connection.id === record.id) ?? record;
  } catch (error) {
    if (error instanceof RecallError && error.code === 'recall_not_found') {
      await deps.store.detachCredential(credentialId, deps.now().toISOString(), { recordEvents });
      return findConnection(deps, record.id);
    }
    throw error;
  }
}
