// The whole connect flow as the app's backend, a browser and Zoom play it, against a gateway reached either
// in-process (app.inject) or over HTTP (a gateway in another process). The browser keeps its cookies, follows
// the gateway's restart through Zoom (at most a few hops), and reports where it finally landed.
import type { FastifyInstance } from 'fastify';
import { zProblemCode } from '../../generated/gateway/zod.gen.js';
import type { FakeZoom, ZoomIdentity } from './fake-recall.js';

export interface Sent {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Answer {
  status: number;
  location: string | undefined;
  setCookies: string[];
  body: string;
}

export type Send = (request: Sent) => Promise<Answer>;

export function injectSend(app: FastifyInstance): Send {
  return async ({ method, url, headers = {}, body }) => {
    const response = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object | string }) });
    const setCookie = response.headers['set-cookie'];
    return {
      status: response.statusCode,
      location: response.headers.location === undefined ? undefined : String(response.headers.location),
      setCookies: setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)],
      body: response.body,
    };
  };
}

export function httpSend(base: string, timeoutMs = 10_000): Send {
  return async ({ method, url, headers = {}, body }) => {
    const response = await fetch(`${base}${url}`, {
      method,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      // A string body is sent as it is (a form), with the caller's content type; anything else as JSON.
      headers: { ...(body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      setCookies: response.headers.getSetCookie(),
      body: await response.text(),
    };
  };
}

/** One browser's cookies for the gateway's host. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(answer: Answer): void {
    for (const line of answer.setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  get size(): number {
    return this.cookies.size;
  }
}

export type FlowEnd =
  | { result: 'connected'; connectionId: string }
  | { result: 'error'; code: string }
  /** The gateway answered something a flow must never end with (described). */
  | { result: 'unexpected'; what: string };

export interface FlowPlan {
  endUserId: string;
  identity: ZoomIdentity;
  apiKey: string;
  returnTo: string;
  /** The user declines at Zoom instead of allowing. */
  deny?: boolean;
  /** More of the connect session's body (mode, or return_to: undefined for none). */
  session?: Record<string, unknown>;
}

const problemCodes = new Set<string>(zProblemCode.options);

/** Where a 303 to return_to says the flow ended. */
export function flowEndOf(answer: Answer, returnTo: string): FlowEnd {
  if (answer.status !== 303 || !answer.location) return { result: 'unexpected', what: `${answer.status} ${answer.body.slice(0, 200)}` };
  const location = new URL(answer.location);
  if (`${location.origin}${location.pathname}` !== returnTo) return { result: 'unexpected', what: `303 to ${answer.location}` };
  const outcome = location.searchParams.get('zoom_connect');
  const connectionId = location.searchParams.get('connection_id');
  const code = location.searchParams.get('error');
  if (outcome === 'connected' && connectionId) return { result: 'connected', connectionId };
  if (outcome === 'error' && code && problemCodes.has(code)) return { result: 'error', code };
  return { result: 'unexpected', what: `303 to ${answer.location}` };
}

/** The launch: the app's page (return_to's origin) posts its form to connect_url, which sends the browser on to Zoom. */
export async function startFlow(send: Send, plan: FlowPlan, jar: CookieJar): Promise<{ authorizeUrl: string; token: string } | FlowEnd> {
  const session = await send({
    method: 'POST',
    url: '/v1/connect-sessions',
    headers: { authorization: `Bearer ${plan.apiKey}` },
    body: { end_user_id: plan.endUserId, return_to: plan.returnTo, ...plan.session },
  });
  if (session.status !== 201) return { result: 'unexpected', what: `session ${session.status} ${session.body}` };
  const { connect_url: connectUrl, token } = JSON.parse(session.body) as { connect_url: string; token: string };
  const launchUrl = new URL(connectUrl);
  const launched = await send({
    method: 'POST',
    url: `${launchUrl.pathname}${launchUrl.search}`,
    headers: { accept: 'text/html', origin: new URL(plan.returnTo).origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  jar.take(launched);
  if (launched.status !== 303 || !launched.location || launched.setCookies.length === 0) return flowEndOf(launched, plan.returnTo);
  return { authorizeUrl: launched.location, token };
}

/** Zoom, then the callback; follows the gateway's automatic restart through Zoom (a bounded number of hops). */
export async function finishFlow(send: Send, zoom: FakeZoom, plan: FlowPlan, jar: CookieJar, authorizeUrl: string): Promise<FlowEnd> {
  let next = authorizeUrl;
  // The gateway restarts a flow at most once: a third trip through Zoom is a bug.
  for (let hop = 0; hop < 2; hop++) {
    const { code, state } = zoom.authorize(next, plan.identity);
    const query: Record<string, string> = plan.deny ? { error: 'access_denied', state } : { code, state };
    const callbackPath = new URL(next).searchParams.get('redirect_uri')!;
    const answer = await send({
      method: 'GET',
      url: `${new URL(callbackPath).pathname}?${new URLSearchParams(query).toString()}`,
      headers: { accept: 'text/html', ...jar.header() },
    });
    jar.take(answer);
    if (answer.status !== 302 || !answer.location) return flowEndOf(answer, plan.returnTo);
    next = answer.location;
  }
  return { result: 'unexpected', what: 'the gateway sent the browser back through Zoom more than once' };
}

export async function connectFlow(send: Send, zoom: FakeZoom, plan: FlowPlan): Promise<FlowEnd> {
  const jar = new CookieJar();
  const started = await startFlow(send, plan, jar);
  if ('result' in started) return started;
  return finishFlow(send, zoom, plan, jar, started.authorizeUrl);
}
