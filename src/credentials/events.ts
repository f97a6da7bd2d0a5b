// Which events a change to connections makes: the domain decides, from what the change says it changed
// (before and after), and publishes them in the change's own transaction.
import { connectionCreated, connectionReauthorized, connectionStatusChanged } from '../events/bodies.js';
import type { ConnectionChange, OutboxEntry, SaveConnectionResult } from '../store/store.js';

/** connection.status_changed for every connection whose status the change turned. */
export function statusChanges(changes: readonly ConnectionChange[]): OutboxEntry[] {
  return changes.flatMap(({ before, after }) => (before.status === after.status ? [] : [connectionStatusChanged(before.status, after)]));
}

/**
 * A save: the end user's connection created, or re-authorized (and its status turned, perhaps), and the status
 * of every connection the save moved onto the credential or relinked.
 */
export function savedConnectionEvents(saved: SaveConnectionResult): OutboxEntry[] {
  const own = saved.previous
    ? [connectionReauthorized(saved.previous, saved.connection), ...statusChanges([{ before: saved.previous, after: saved.connection }])]
    : [connectionCreated(saved.connection)];
  return [...own, ...statusChanges(saved.moved)];
}
