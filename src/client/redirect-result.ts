// The end of a redirect flow: the gateway sent the browser back to return_to with
// `zoom_connect=connected&connection_id=...` or `zoom_connect=error&error=<code>`.
import type { Connection } from '../../generated/gateway/types.gen.js';
import { asProblemCode, ZoomConnectError } from './errors.js';

const resultParameters = ['zoom_connect', 'connection_id', 'error'];

/**
 * null when `url` (the current address by default) carries no result; `{ id }` of the connection when it
 * connected; throws a ZoomConnectError with the gateway's code when it failed. The result's parameters are
 * removed from the address bar, so a reload or a shared link does not show it again.
 */
export function readRedirectResult(url: string | URL = window.location.href): Pick<Connection, 'id'> | null {
  const address = new URL(url);
  const query = address.searchParams;
  const outcome = query.get('zoom_connect');
  if (outcome === null) return null;
  const connectionId = query.get('connection_id');
  const error = query.get('error');
  if (address.href === window.location.href) {
    for (const name of resultParameters) query.delete(name);
    window.history.replaceState(window.history.state, '', address.href);
  }
  if (outcome === 'connected' && connectionId) return { id: connectionId };
  throw new ZoomConnectError(outcome === 'error' ? asProblemCode(error, 'internal_error') : 'invalid_request');
}
