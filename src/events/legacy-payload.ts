// Outbox rows written before event bodies were versioned (before migration 2026_12_27_007, and by an instance of
// that version still running during a rolling upgrade) hold the store's record of the event: camelCase, as the
// store's records were then. Their shape is frozen here, on its own, so the records of today can change freely;
// these rows are delivered with exactly the bodies they would have had then.
import type { GatewayEvent, ProblemCode } from '../../generated/gateway/types.gen.js';

/** A connection as the store recorded it in those events. */
interface LegacyConnection {
  id: string;
  endUserId: string;
  status: 'connected' | 'needs_reauth';
  recallCredentialId: string | null;
  recallStatus: 'healthy' | 'unhealthy' | null;
  zoomUserId: string | null;
  zoomAccountId: string | null;
  meetingSyncStatus: 'not_started' | 'in_progress' | 'completed' | 'failed' | null;
  createdAt: string;
  updatedAt: string;
  lastCheckedAt: string | null;
  /** Missing in events recorded before the field existed. */
  reauthReason?: string | null;
}

type LegacyPayload =
  | { type: 'connection.created' | 'connection.deleted'; connection: LegacyConnection }
  | {
      type: 'connection.reauthorized';
      connection: LegacyConnection;
      identityChanged: boolean;
      previousZoomUserId: string | null;
      previousZoomAccountId: string | null;
    }
  | { type: 'connection.status_changed'; connection: LegacyConnection; previousStatus: 'connected' | 'needs_reauth' }
  | { type: 'connect.failed'; endUserId: string; connectionId: string | null; code: string };

type WithoutEnvelope<T> = T extends unknown ? Omit<T, 'id' | 'timestamp'> : never;

export function isLegacyPayload(body: unknown): body is LegacyPayload {
  if (typeof body !== 'object' || body === null || 'v' in body) return false;
  const { type } = body as { type?: unknown };
  if (type === 'connect.failed') return 'endUserId' in body && 'code' in body;
  return typeof type === 'string' && type.startsWith('connection.') && typeof (body as { connection?: unknown }).connection === 'object';
}

function apiConnection(record: LegacyConnection) {
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
    reauth_reason: record.reauthReason ?? null,
  };
}

/** The body such a row is delivered with, but its id and timestamp. */
export function legacyEventData(event: LegacyPayload): WithoutEnvelope<GatewayEvent> {
  switch (event.type) {
    case 'connection.created':
    case 'connection.deleted':
      return { type: event.type, data: { connection: apiConnection(event.connection) } };
    case 'connection.reauthorized':
      return {
        type: event.type,
        data: {
          connection: apiConnection(event.connection),
          identity_changed: event.identityChanged,
          previous_zoom_user_id: event.previousZoomUserId,
          previous_zoom_account_id: event.previousZoomAccountId,
        },
      };
    case 'connection.status_changed':
      return {
        type: event.type,
        data: { connection: apiConnection(event.connection), previous_status: event.previousStatus, status: event.connection.status },
      };
    case 'connect.failed':
      return {
        type: event.type,
        data: { end_user_id: event.endUserId, connection_id: event.connectionId, code: event.code as ProblemCode },
      };
  }
}
