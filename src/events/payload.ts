// An outbox event as its receiver gets it: the body gateway.yaml describes under `webhooks:` (GatewayEvent).
// Built from the stored event at each attempt; the stored event never changes, so every retry sends the same body.
import type { GatewayEvent } from '../../generated/gateway/types.gen.js';
import { toApiConnection } from '../connect/connections.js';
import type { ProblemCode } from '../connect/problems.js';
import type { OutboxEvent } from '../store/store.js';

export function eventBody({ id, createdAt: timestamp, event }: OutboxEvent): GatewayEvent {
  switch (event.type) {
    case 'connection.created':
    case 'connection.deleted':
      return { id, type: event.type, timestamp, data: { connection: toApiConnection(event.connection) } };
    case 'connection.reauthorized':
      return {
        id,
        type: event.type,
        timestamp,
        data: {
          connection: toApiConnection(event.connection),
          identity_changed: event.identityChanged,
          previous_zoom_user_id: event.previousZoomUserId,
          previous_zoom_account_id: event.previousZoomAccountId,
        },
      };
    case 'connection.status_changed':
      return {
        id,
        type: event.type,
        timestamp,
        data: { connection: toApiConnection(event.connection), previous_status: event.previousStatus, status: event.connection.status },
      };
    case 'connect.failed':
      return {
        id,
        type: event.type,
        timestamp,
        data: { end_user_id: event.endUserId, connection_id: event.connectionId, code: event.code as ProblemCode },
      };
  }
}
