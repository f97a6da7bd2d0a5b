// The events the gateway announces, as the outbox keeps them: the webhook body of gateway.yaml (`webhooks:`)
// without its id and timestamp (the outbox row's), tagged with the version of this shape (`v`). The body is
// built when the change is made, from the API's view of the connection, so nothing waiting in the outbox
// depends on the store's records: renaming a field of ConnectionRecord cannot break an undelivered event.
// Which events a change makes is the domain's decision (src/credentials/events.ts, src/connect/callback.ts).
import type { Connection, ConnectionStatus, GatewayEvent, ProblemCode } from '../../generated/gateway/types.gen.js';
import type { ConnectionRecord, OutboxEntry } from '../store/store.js';

/** The shape of the bodies written now; payload.ts reads this one and every older one. */
export const EVENT_BODY_VERSION = 1;

type WithoutEnvelope<T> = T extends unknown ? Omit<T, 'id' | 'timestamp'> : never;

/** Version 1: the webhook body but its id and timestamp, which the outbox row gives at delivery. */
export type EventBodyV1 = { v: typeof EVENT_BODY_VERSION } & WithoutEnvelope<GatewayEvent>;

/** A connection as the API shows it (gateway.yaml's Connection): in answers and in event bodies. */
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
    reauth_reason: record.reauthReason ?? null,
  };
}

function entry(connection: ConnectionRecord, body: EventBodyV1): OutboxEntry {
  return { type: body.type, endUserId: connection.endUserId, connectionId: connection.id, body };
}

export function connectionCreated(connection: ConnectionRecord): OutboxEntry {
  return entry(connection, { v: 1, type: 'connection.created', data: { connection: toApiConnection(connection) } });
}

/** The end user went through the flow again; `before` is their connection as it was. */
export function connectionReauthorized(before: ConnectionRecord, after: ConnectionRecord): OutboxEntry {
  const identityChanged =
    (before.zoomUserId !== null || before.zoomAccountId !== null) &&
    (before.zoomUserId !== after.zoomUserId || before.zoomAccountId !== after.zoomAccountId);
  return entry(after, {
    v: 1,
    type: 'connection.reauthorized',
    data: {
      connection: toApiConnection(after),
      identity_changed: identityChanged,
      previous_zoom_user_id: before.zoomUserId,
      previous_zoom_account_id: before.zoomAccountId,
    },
  });
}

export function connectionStatusChanged(previousStatus: ConnectionStatus, after: ConnectionRecord): OutboxEntry {
  return entry(after, {
    v: 1,
    type: 'connection.status_changed',
    data: { connection: toApiConnection(after), previous_status: previousStatus, status: after.status },
  });
}

export function connectionDeleted(connection: ConnectionRecord): OutboxEntry {
  return entry(connection, { v: 1, type: 'connection.deleted', data: { connection: toApiConnection(connection) } });
}

/** A known end user's flow failed; their connection (if any) is unchanged. */
export function connectFailed(endUserId: string, connectionId: string | null, code: ProblemCode): OutboxEntry {
  const body: EventBodyV1 = { v: 1, type: 'connect.failed', data: { end_user_id: endUserId, connection_id: connectionId, code } };
  return { type: body.type, endUserId, connectionId, body };
}
