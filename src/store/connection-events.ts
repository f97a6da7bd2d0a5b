// The events a change to connections makes, worked out inside the change's transaction from the rows as they
// were before and as they are after it.

import { toConnection } from './records.js';
import type { ConnectionRow } from './schema.js';
import type { ConnectionStatus, StoreEvent } from './store.js';

/** connection.status_changed for every row whose status differs from before, in the order of `after`. */
export function statusChanges(before: Pick<ConnectionRow, 'id' | 'status'>[], after: ConnectionRow[]): StoreEvent[] {
  const previous = new Map<string, ConnectionStatus>(before.map((row) => [row.id, row.status]));
  return after.flatMap((row): StoreEvent[] => {
    const previousStatus = previous.get(row.id);
    if (previousStatus === undefined || previousStatus === row.status) return [];
    return [{ type: 'connection.status_changed', connection: toConnection(row), previousStatus }];
  });
}

/** The end user's own connection after a save: created, or re-authorized (and maybe its status changed). */
export function savedConnectionEvents(existing: ConnectionRow | undefined, own: ConnectionRow): StoreEvent[] {
  const connection = toConnection(own);
  if (!existing) return [{ type: 'connection.created', connection }];
  const identityChanged =
    (existing.zoom_user_id !== null || existing.zoom_account_id !== null) &&
    (existing.zoom_user_id !== own.zoom_user_id || existing.zoom_account_id !== own.zoom_account_id);
  return [
    {
      type: 'connection.reauthorized',
      connection,
      identityChanged,
      previousZoomUserId: existing.zoom_user_id,
      previousZoomAccountId: existing.zoom_account_id,
    },
    ...statusChanges([existing], [own]),
  ];
}
