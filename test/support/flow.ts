// Walks the browser side of a flow through the injected app, the way a browser would: create a connect
// session (API key), the app's page posts its form to connect_url (launch: binding cookie + 303 to Zoom), come
// back to the callback.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { appOrigin, testApiKey, type TestGateway } from './gateway.js';

export interface Launched {
  response: LightMyRequestResponse;
  authorizeUrl: URL;
  state: string;
  /** The binding cookie the launch set, as name and value. */
  cookie: { name: string; value: string };
  token: string;
}

export async function createSession(gateway: TestGateway, body: Record<string, unknown> = {}) {
  const response = await gateway.request({
    method: 'POST',
    url: '/v1/connect-sessions',
    headers: { authorization: `Bearer ${testApiKey}` },
    payload: { end_user_id: 'user_42', return_to: `${appOrigin}/settings`, ...body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { token: string; expires_at: string; connect_url: string };
}

/** The path and query of a connect_url, as the browser requests it. */
export const launchPathOf = (connectUrl: string) => {
  const url = new URL(connectUrl);
  return `${url.pathname}${url.search}`;
};

/**
 * The launch as the app's page makes it: an empty form POSTed to connect_url, with the Origin the browser sets
 * (the app's origin unless `origin` says otherwise; null for none at all).
 */
export function postLaunch(
  gateway: TestGateway,
  connectUrl: string,
  { origin = appOrigin, headers = {} }: { origin?: string | null; headers?: Record<string, string> } = {},
) {
  return gateway.request({
    method: 'POST',
    url: launchPathOf(connectUrl),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin === null ? {} : { origin }), ...headers },
    payload: '',
  });
}

export async function launch(gateway: TestGateway, body: Record<string, unknown> = {}): Promise<Launched> {
  const session = await createSession(gateway, body);
  const response = await postLaunch(gateway, session.connect_url);
  expect(response.statusCode, response.body).toBe(303);
  const authorizeUrl = new URL(String(response.headers.location));
  const setCookie = response.cookies[0]!;
  return {
    response,
    authorizeUrl,
    state: authorizeUrl.searchParams.get('state')!,
    cookie: { name: setCookie.name, value: setCookie.value },
    token: session.token,
  };
}

export function callback(
  gateway: TestGateway,
  query: Record<string, string>,
  cookies: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  return gateway.request({
    method: 'GET',
    url: `/v1/connect/zoom/callback?${new URLSearchParams(query).toString()}`,
    cookies,
    headers,
  });
}

/** The usual happy callback for a launched flow. */
export function callbackFor(gateway: TestGateway, launched: Launched, code = 'zoom-authorization-code') {
  return callback(gateway, { code, state: launched.state }, { [launched.cookie.name]: launched.cookie.value });
}
