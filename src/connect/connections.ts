// Connections as the API shows them: list, read, disconnect and refresh from Recall (the last two through the
// credential lifecycle, src/credentials/).
import type { ConnectionPage, ConnectionStatus } from '../../generated/gateway/types.gen.js';
import { checkCredentialHealth } from '../credentials/health.js';
import { disconnectConnection } from '../credentials/retire.js';
import { toApiConnection } from '../events/bodies.js';
import type { ConnectionRecord } from '../store/store.js';
import type { ConnectDeps } from './deps.js';
import { checkIdentifier } from './identifiers.js';
import { GatewayProblem } from './problems.js';

export { toApiConnection };

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
 * Disconnects: deletes the Recall credential unless another connection still uses it (an account-level app
 * shares one), then the row. Recall's 404 means already gone; any other Recall failure keeps the row.
 */
export function disconnect(deps: ConnectDeps, record: ConnectionRecord): Promise<void> {
  return disconnectConnection(deps, record);
}

/** Re-reads the credential from Recall (optionally asking Recall to re-validate it with Zoom first). */
export async function refreshConnection(deps: ConnectDeps, record: ConnectionRecord, validate: boolean): Promise<ConnectionRecord> {
  const credentialId = record.recallCredentialId;
  if (!credentialId) return record;
  const check = await checkCredentialHealth(deps, credentialId, validate ? { validate: 'report' } : {});
  if (check.result === 'gone') return findConnection(deps, record.id);
  return check.connections.find((connection) => connection.id === record.id) ?? record;
}
