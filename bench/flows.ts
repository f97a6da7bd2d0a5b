// The connect flow as the bench drives it with autocannon, one step per load: connect sessions (one end user
// each), launches (each spends one launch code), callbacks (each brings back one launch's state and binding
// cookie, with a code the Recall stub accepts). A FlowQueue hands each step's output to the next, so a flow
// may be launched on one gateway instance and called back on another, as behind a load balancer.
import type autocannon from 'autocannon';
import { load, type LoadResult } from './load.js';

export const apiKey = 'bench-gateway-api-key-0123456789';
export const appOrigin = 'https://app.example.com';
const returnTo = `${appOrigin}/settings`;

export interface FlowQueue {
  users: number;
  codes: number;
  launchCodes: string[];
  callbacks: { path: string; cookie: string }[];
  connectionIds: string[];
}

export const newFlowQueue = (): FlowQueue => ({ users: 0, codes: 0, launchCodes: [], callbacks: [], connectionIds: [] });

/**
 * The one place a launch is made: the request that spends `launchCode`, as the app's page sends it (a form POST
 * to connect_url from an allowed Origin).
 */
export function launchRequest(request: autocannon.Request, launchCode: string): autocannon.Request {
  return {
    ...request,
    method: 'POST',
    path: `/v1/connect/zoom?launch=${launchCode}`,
    headers: { ...request.headers, origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded' },
  };
}

/** A launch that started a flow: the 303 to Zoom. */
const launched = (status: number) => status === 303;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';
const common = { maxSeconds: 300 };

/** `amount` connect sessions, one new end user each; their launch codes go to the queue. */
export function createSessions(url: string, queue: FlowQueue, amount: number, connections: number): Promise<LoadResult> {
  return load({
    ...common,
    url,
    method: 'POST',
    path: '/v1/connect-sessions',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    connections,
    amount,
    setup: (request) => ({ ...request, body: JSON.stringify({ end_user_id: `bench_user_${++queue.users}`, return_to: returnTo }) }),
    onResponse: (status, body) => {
      if (status === 201) queue.launchCodes.push(new URL((JSON.parse(body) as { connect_url: string }).connect_url).searchParams.get('launch')!);
    },
    expect: (status) => status === 201,
  });
}

/** `amount` launches, each with a launch code from the queue; the state and binding cookie go back to it. */
export function launches(url: string, queue: FlowQueue, amount: number, connections: number): Promise<LoadResult> {
  return load({
    ...common,
    url,
    path: '/v1/connect/zoom',
    connections,
    amount,
    setup: (request) => launchRequest(request, queue.launchCodes.shift() ?? 'exhausted'),
    onResponse: (status, _body, headers) => {
      if (!launched(status)) return;
      const state = new URL(first(headers.location)).searchParams.get('state')!;
      queue.callbacks.push({
        path: `/v1/connect/zoom/callback?code=bench-code-${++queue.codes}&state=${state}`,
        cookie: first(headers['set-cookie']).split(';')[0]!,
      });
    },
    expect: launched,
  });
}

/** `amount` callbacks: the state consumed, the code registered at the Recall stub, the connection stored, 303 back. */
export function callbacks(url: string, queue: FlowQueue, amount: number, connections: number): Promise<LoadResult> {
  const connected = (status: number, headers: Record<string, string | string[]>) =>
    status === 303 && new URL(first(headers.location)).searchParams.get('zoom_connect') === 'connected';
  return load({
    ...common,
    url,
    path: '/v1/connect/zoom/callback',
    connections,
    amount,
    setup: (request) => {
      const next = queue.callbacks.shift();
      return { ...request, path: next?.path ?? '/v1/connect/zoom/callback?state=exhausted', headers: { cookie: next?.cookie ?? '' } };
    },
    onResponse: (status, _body, headers) => {
      if (connected(status, headers)) queue.connectionIds.push(new URL(first(headers.location)).searchParams.get('connection_id')!);
    },
    expect: connected,
  });
}
