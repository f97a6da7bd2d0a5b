// Link-swap: a connect link works in whichever browser launches it, so only the app's own page may launch it:
// a form POST whose Origin is one of ALLOWED_RETURN_ORIGINS. Every other way of opening connect_url (a GET, a
// POST from another site, Origin: null, no Origin) starts nothing and spends nothing: no flow, no cookie, the
// launch code still works for the app afterwards, and the answer tells the person to start again from the app.
import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway, type TestGateway } from '../support/gateway.js';
import { createSession, launchPathOf, postLaunch } from '../support/flow.js';

const asJson = { accept: 'application/json' };
const asBrowser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Flows in the store: all of them are purged when the clock is far past every expiry. */
const storedFlows = async (gateway: TestGateway) => (await gateway.store.purgeExpired('2099-01-01T00:00:00.000Z', 0)).flows;

type Refusal = [string, (gateway: TestGateway, connectUrl: string, headers: Record<string, string>) => ReturnType<TestGateway['request']>];
const refusals: Refusal[] = [
  [
    'a GET of connect_url (a link, a page on another site navigating to it)',
    (g, url, headers) => g.request({ method: 'GET', url: launchPathOf(url), headers }),
  ],
  ['a form POST from another site', (g, url, headers) => postLaunch(g, url, { origin: 'https://evil.example.net', headers })],
  ['a form POST from an allowed host over another scheme', (g, url, headers) => postLaunch(g, url, { origin: 'http://app.example.com', headers })],
  ['a form POST from an allowed host on another port', (g, url, headers) => postLaunch(g, url, { origin: 'https://app.example.com:8443', headers })],
  ['a form POST from a look-alike host', (g, url, headers) => postLaunch(g, url, { origin: 'https://app.example.com.evil.net', headers })],
  ['a form POST with Origin: null', (g, url, headers) => postLaunch(g, url, { origin: 'null', headers })],
  ['a POST without Origin', (g, url, headers) => postLaunch(g, url, { origin: null, headers })],
];

describe('who may launch connect_url', () => {
  const gateway = useGateway();

  it.each(refusals)('refuses %s with 403 launch_not_from_app, as problem+json when JSON is asked for', async (_what, send) => {
    const session = await createSession(gateway);
    const response = await send(gateway, session.connect_url, asJson);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'launch_not_from_app', status: 403, detail: expect.stringContaining('Go back to the app') });
  });

  it.each(refusals)('answers %s with a page that sends the person back to the app, no cookie, no flow', async (_what, send) => {
    const session = await createSession(gateway);
    const response = await send(gateway, session.connect_url, asBrowser);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Error code: <code>launch_not_from_app</code>');
    expect(response.body).toContain('Go back to the app and press Connect again.');
    expect(response.body).not.toContain('postMessage');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await storedFlows(gateway)).toBe(0);
  });

  it.each(refusals)('spends nothing on %s: the app launches the same link afterwards', async (_what, send) => {
    const session = await createSession(gateway, { mode: 'redirect' });
    for (const _ of [1, 2]) expect((await send(gateway, session.connect_url, asBrowser)).statusCode).toBe(403);
    const launched = await postLaunch(gateway, session.connect_url);
    expect(launched.statusCode).toBe(303);
    expect(String(launched.headers.location)).toMatch(/^https:\/\/zoom\.us\/oauth\/authorize\?/);
    expect(launched.cookies).toHaveLength(1);
    expect(await storedFlows(gateway)).toBe(1);
  });

  it('names the likely cause of Origin: null, the launching page sending Referrer-Policy: no-referrer', async () => {
    const session = await createSession(gateway);
    const response = await postLaunch(gateway, session.connect_url, { origin: 'null', headers: asJson });
    expect((response.json() as { detail: string }).detail).toContain('Referrer-Policy: no-referrer');
  });

  it('does not send a refused launch back to return_to, even in redirect mode: it never looks the link up', async () => {
    const session = await createSession(gateway, { mode: 'redirect', return_to: `${appOrigin}/settings` });
    const response = await postLaunch(gateway, session.connect_url, { origin: 'https://evil.example.net', headers: asBrowser });
    expect(response.statusCode).toBe(403);
    expect(response.headers.location).toBeUndefined();
  });

  it('refuses a GET even with an allowed Origin header', async () => {
    const session = await createSession(gateway);
    const response = await gateway.request({ method: 'GET', url: launchPathOf(session.connect_url), headers: { origin: appOrigin, ...asJson } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'launch_not_from_app' });
  });

  it('refuses a GET of a connect link that does not exist the same way (a GET never looks the code up)', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connect/zoom?launch=no-such-code', headers: asJson });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'launch_not_from_app' });
  });

  it('launches from every origin of ALLOWED_RETURN_ORIGINS', async () => {
    for (const origin of [appOrigin, 'https://other.example.com']) {
      const session = await createSession(gateway);
      expect((await postLaunch(gateway, session.connect_url, { origin })).statusCode).toBe(303);
    }
  });

  it('calls nothing at Recall for any refusal', async () => {
    const session = await createSession(gateway);
    for (const [, send] of refusals) await send(gateway, session.connect_url, asBrowser);
    expect(gateway.recall.calls).toEqual([]);
  });
});
