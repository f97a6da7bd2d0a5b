// The browser-facing operations of gateway.yaml (tag `me`): the end user's own connection, with the session
// token. A thin fetch typed by the generated types: hey-api's client runtime alone would spend the whole size
// budget (about 3.9 KB gzipped), and its SDK validates requests with zod, which a browser bundle cannot carry.
import type {
  Connection,
  DeleteMyConnectionData,
  DeleteMyConnectionResponse,
  GetMyConnectionData,
  GetMyConnectionResponse,
  GetMySessionData,
  GetMySessionResponse,
  MySession,
  Problem,
} from '../../generated/gateway/types.gen.js';
import { asProblemCode, ZoomConnectError } from './errors.js';

export interface GatewaySession {
  /** The gateway's PUBLIC_URL, e.g. `https://connect.example.com` (the part of connect_url before `/v1/`). */
  baseUrl: string;
  /** The connect session's `token` (a bearer for /v1/me/* only). */
  token: string;
  signal?: AbortSignal;
  /** Extra request headers, e.g. `Prefer: code=404` against `npm run mock:gateway`. */
  headers?: Record<string, string>;
}

const mePath: GetMyConnectionData['url'] & DeleteMyConnectionData['url'] = '/v1/me/connection';
const sessionPath: GetMySessionData['url'] = '/v1/me/session';

async function callMe<T>(method: 'GET' | 'DELETE', session: GatewaySession, path: string = mePath): Promise<T> {
  let response: Response;
  try {
    response = await fetch(session.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: { ...session.headers, authorization: `Bearer ${session.token}` },
      signal: session.signal ?? null,
    });
  } catch (error) {
    if (session.signal?.aborted) throw error;
    throw new ZoomConnectError('network_error', `The gateway could not be reached: ${String(error)}`);
  }
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
  throw new ZoomConnectError(asProblemCode(problem.code, 'internal_error'), problem.detail, response.status);
}

/** GET /v1/me/connection: the end user's connection; rejects with `not_connected` when there is none. */
export const getMyConnection = (session: GatewaySession): Promise<Connection> => callMe<GetMyConnectionResponse>('GET', session);

/** DELETE /v1/me/connection: disconnects the end user; rejects with `not_connected` when there is nothing to delete. */
export const deleteMyConnection = (session: GatewaySession): Promise<void> => callMe<DeleteMyConnectionResponse>('DELETE', session);

/**
 * GET /v1/me/session: the session's end user, its expiry, and the connection or `null`. "Not connected" is a 200
 * here, so asking whether to show a Connect button leaves no failed request in the browser's console.
 */
export const getMySession = (session: GatewaySession): Promise<MySession> => callMe<GetMySessionResponse>('GET', session, sessionPath);
