// The pages of the browser flow (the callback's answers and the result page): RFC 9700 §4.2.4 (no third-party
// resources or links on the page that receives the authorization response; Referrer-Policy: no-referrer) and
// §4.17 (postMessage never to '*'), with the headers DESIGN.md asks for: Cache-Control: no-store,
// Referrer-Policy: no-referrer, a strict CSP (nothing but the page's own nonce), and no secret in the page.
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway, type TestGateway } from '../support/gateway.js';
import { callback, callbackFor, createSession, launch, postLaunch } from '../support/flow.js';

const html = { accept: 'text/html,application/xhtml+xml' };

interface Shown {
  response: LightMyRequestResponse;
  /** Secrets of the flow, none of which may appear in the page. */
  secrets: string[];
}

async function callbackPage(
  g: TestGateway,
  body: Record<string, unknown>,
  query: (state: string) => Record<string, string>,
  withCookie = true,
): Promise<Shown> {
  const launched = await launch(g, body);
  const cookies = withCookie ? { [launched.cookie.name]: launched.cookie.value } : {};
  const response = await callback(g, query(launched.state), cookies, html);
  return { response, secrets: [launched.state, launched.token, launched.cookie.value, 'zoom-code-secret'] };
}

const popup = { mode: 'popup' };
const noReturnTo = { return_to: undefined };
const allowed = (state: string) => ({ code: 'zoom-code-secret', state });
const declined = (state: string) => ({ error: 'access_denied', state });

/** A callback page after Recall answered the create with `outcome` (a Prefer of the Recall mock). */
const afterRecall = (outcome: string, body: Record<string, unknown>) => (g: TestGateway) => {
  g.recall.prefer('create', outcome);
  return callbackPage(g, body, allowed);
};

/** Every page the flow can show a browser, by how it got there; `popup` says whether it must post a message. */
const pages: [string, { popup: boolean }, (g: TestGateway) => Promise<Shown>][] = [
  ['popup: connected', { popup: true }, afterRecall('code=201, example=created', popup)],
  ['popup: declined at Zoom', { popup: true }, (g) => callbackPage(g, popup, declined)],
  ['popup: Recall refused', { popup: true }, afterRecall('code=403, example=forbidden_localhost', popup)],
  ['popup: no binding cookie', { popup: true }, (g) => callbackPage(g, popup, allowed, false)],
  [
    'popup: state replayed',
    { popup: true },
    async (g) => {
      const launched = await launch(g, popup);
      await callbackFor(g, launched, 'zoom-code-secret');
      const response = await callback(g, allowed(launched.state), { [launched.cookie.name]: launched.cookie.value }, html);
      return { response, secrets: [launched.state, launched.token, launched.cookie.value, 'zoom-code-secret'] };
    },
  ],
  [
    'popup: connect link used twice (launch)',
    { popup: true },
    async (g) => {
      const session = await createSession(g, popup);
      await postLaunch(g, session.connect_url);
      const response = await postLaunch(g, session.connect_url, { headers: html });
      return { response, secrets: [new URL(session.connect_url).searchParams.get('launch')!, session.token] };
    },
  ],
  ['result page: connected, no return_to', { popup: false }, afterRecall('code=201, example=created', noReturnTo)],
  ['result page: Recall refused the code, no return_to', { popup: false }, afterRecall('code=400, example=invalid_grant', noReturnTo)],
  [
    'result page: unknown state',
    { popup: false },
    async (g) => ({
      response: await callback(g, { code: 'zoom-code-secret', state: 'forged-state-value' }, {}, html),
      secrets: ['zoom-code-secret', 'forged-state-value'],
    }),
  ],
  [
    'result page: unknown connect link (launch)',
    { popup: false },
    async (g) => ({
      response: await postLaunch(g, 'https://gateway.example.com/v1/connect/zoom?launch=forged-launch-code', { headers: html }),
      secrets: ['forged-launch-code'],
    }),
  ],
  [
    'result page: connect_url opened as a link (refused launch)',
    { popup: false },
    async (g) => {
      const session = await createSession(g, popup);
      const url = new URL(session.connect_url);
      const response = await g.request({ method: 'GET', url: `${url.pathname}${url.search}`, headers: html });
      return { response, secrets: [url.searchParams.get('launch')!, session.token] };
    },
  ],
];

function cspDirectives(response: LightMyRequestResponse): Record<string, string[]> {
  return Object.fromEntries(
    String(response.headers['content-security-policy'])
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('the pages of the browser flow', () => {
  const gateway = useGateway();

  it.each(pages)('%s: posts its message to the exact allowed origin, never to "*"', async (_name, { popup: posts }, show) => {
    const { response } = await show(gateway);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const calls = [...response.body.matchAll(/postMessage\(/g)];
    const targets = [...response.body.matchAll(/postMessage\(\{.*?\},\s*("[^"]*")\)/g)].map((match) => JSON.parse(match[1]!) as string);
    expect(response.body).not.toMatch(/['"]\*['"]/);
    if (posts) {
      expect(calls).toHaveLength(1);
      expect(targets).toEqual([appOrigin]);
    } else {
      expect(calls).toHaveLength(0);
      expect(response.body).not.toContain('<script');
    }
  });

  it.each(pages)(
    '%s: Cache-Control no-store, Referrer-Policy no-referrer, nosniff, and a CSP allowing only its own nonce',
    async (_name, _kind, show) => {
      const { response } = await show(gateway);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const csp = cspDirectives(response);
      const nonce = /<style nonce="([^"]+)"/.exec(response.body)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).toEqual({
        'default-src': ["'none'"],
        'script-src': [`'nonce-${nonce}'`],
        'style-src': [`'nonce-${nonce}'`],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'frame-ancestors': ["'none'"],
      });
      for (const tag of response.body.matchAll(/<(script|style)\b([^>]*)>/g)) expect(tag[2]).toBe(` nonce="${nonce}"`);
    },
  );

  it.each(pages)('%s: loads nothing and links nowhere (no third-party resource), and shows no secret', async (_name, _kind, show) => {
    const { response, secrets } = await show(gateway);
    const body = response.body;
    expect(body).not.toMatch(/\s(src|href|srcset|action|formaction|poster|background|ping)\s*=/i);
    expect(body).not.toMatch(/<(link|img|iframe|frame|object|embed|form|base|audio|video|source|meta\s+http-equiv)\b/i);
    expect(body).not.toMatch(/url\(|@import|import\(|fetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon/i);
    // The only absolute URLs a page may hold are the app's own, and neither is loaded by the page: the popup's
    // target origin, and return_to, where a popup that lost its opener navigates back to.
    const urls = [...body.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]*/gi)].map((match) => match[0]);
    expect(urls.filter((url) => new URL(url).origin !== appOrigin)).toEqual([]);
    for (const secret of secrets) expect(body).not.toContain(secret);
  });

  it.each([
    ['the launch (303 to Zoom)', async (g: TestGateway) => (await launch(g)).response],
    ['a callback ending in a 303 to return_to', async (g: TestGateway) => callback(g, { error: 'access_denied', state: (await launch(g)).state })],
  ])('sends the same Cache-Control and Referrer-Policy with %s', async (_name, answer) => {
    const response = await answer(gateway);
    expect([302, 303]).toContain(response.statusCode);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });
});
