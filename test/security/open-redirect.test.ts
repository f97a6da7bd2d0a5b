// RFC 9700 §4.11.1: no open redirector. return_to decides where the browser goes after the flow (303) and which
// origin receives the popup's message, so only origins in ALLOWED_RETURN_ORIGINS pass, judged by the WHATWG URL
// parser browsers use; whatever passes is sent on in its normalized form. Here: https://app.example.com and
// https://other.example.com are allowed (test/support/gateway.ts).
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { testApiKey, useGateway, type TestGateway } from '../support/gateway.js';
import { callback, postLaunch } from '../support/flow.js';

const allowedOrigins = ['https://app.example.com', 'https://other.example.com'];

const refused: [category: string, returnTo: string][] = [
  ['look-alike host', 'https://app.example.com.evil.com/settings'],
  ['look-alike host', 'https://app-example.com/settings'],
  ['look-alike host', 'https://app.example.co/settings'],
  ['look-alike host', 'https://evil.com/app.example.com'],
  ['look-alike host', 'https://app.example.com./settings'],
  ['look-alike host', 'https://xn--pp-8ia.example.com/'],
  ['look-alike host', 'https://app.example.com\u3002evil.com/'],
  ['look-alike host', 'https://app.example.com:8443/settings'],
  ['look-alike host', 'http://app.example.com/settings'],
  ['userinfo', 'https://app.example.com@evil.com/settings'],
  ['userinfo', 'https://user:pass@app.example.com/settings'],
  ['userinfo', 'https://app.example.com@app.example.com/'],
  ['protocol-relative', '//evil.com/settings'],
  ['protocol-relative', '//app.example.com/settings'],
  ['protocol-relative', '/\\evil.com'],
  ['backslash', 'https://app.example.com\\@evil.com'],
  ['backslash', 'https:\\\\evil.com'],
  ['backslash', 'https:/\\evil.com'],
  ['backslash', 'https://app.example.com/\\evil.com'],
  ['percent-encoding', 'https://app.example.com%2F@evil.com'],
  ['percent-encoding', 'https://app.example.com%252F@evil.com'],
  ['percent-encoding', 'https://app.example.com%40evil.com'],
  ['percent-encoding', 'https://evil.com%23.app.example.com'],
  ['percent-encoding', 'https://app.example.com%2Eevil.com/settings'],
  ['percent-encoding', 'https://app.example.com%09.evil.com'],
  ['percent-encoding', 'https://app.example.com%00.evil.com'],
  ['percent-encoding', '%68ttps://app.example.com/'],
  ['javascript:', 'javascript:alert(document.domain)'],
  ['javascript:', 'javascript://app.example.com/%0Aalert(1)'],
  ['javascript:', 'data:text/html,<script>alert(1)</script>'],
  ['mixed case', 'JaVaScRiPt:alert(1)'],
  ['mixed case', 'HTTPS://APP.EXAMPLE.COM.EVIL.COM/'],
  ['mixed case', 'HTTP://App.Example.Com/'],
  ['whitespace', ' https://app.example.com/settings'],
  ['whitespace', 'https://app.example.com/settings\n'],
  ['whitespace', 'https://app.example.com\t.evil.com'],
];

const accepted: [category: string, returnTo: string, sentTo: string][] = [
  ['mixed case', 'HTTPS://App.Example.COM/Settings', 'https://app.example.com/Settings'],
  ['mixed case', 'hTtPs://other.example.com', 'https://other.example.com/'],
  ['percent-encoding', 'https://%61pp.example.com/x', 'https://app.example.com/x'],
  ['percent-encoding', 'https://app.example.com/%2F%2Fevil.com', 'https://app.example.com/%2F%2Fevil.com'],
  ['default port', 'https://app.example.com:443/settings', 'https://app.example.com/settings'],
  ['path that looks like a host', 'https://app.example.com//evil.com', 'https://app.example.com//evil.com'],
  ['@ after the host', 'https://app.example.com/#@evil.com', 'https://app.example.com/#@evil.com'],
  ['slashes missing', 'https:app.example.com/settings', 'https://app.example.com/settings'],
];

async function createSession(gateway: TestGateway, returnTo: string, mode: 'redirect' | 'popup' = 'redirect') {
  return gateway.request({
    method: 'POST',
    url: '/v1/connect-sessions',
    headers: { authorization: `Bearer ${testApiKey}` },
    payload: { end_user_id: 'user_42', return_to: returnTo, mode },
  });
}

/** Session, launch, and a callback where the user declined at Zoom (no Recall involved): where does it end? */
async function flowEnd(gateway: TestGateway, returnTo: string, mode: 'redirect' | 'popup'): Promise<LightMyRequestResponse | undefined> {
  const session = await createSession(gateway, returnTo, mode);
  if (session.statusCode !== 201) {
    expect(session.statusCode).toBe(400);
    expect(session.json().code).toBe('return_to_not_allowed');
    return undefined;
  }
  const launched = await postLaunch(gateway, session.json().connect_url);
  const state = new URL(String(launched.headers.location)).searchParams.get('state')!;
  const cookie = launched.cookies[0]!;
  return callback(gateway, { error: 'access_denied', state }, { [cookie.name]: cookie.value });
}

/** A 303 Location a browser can only read as a URL on an allowed origin. */
function expectSafeLocation(location: string) {
  const url = new URL(location, 'https://gateway.example.com/v1/connect/zoom/callback');
  expect(allowedOrigins).toContain(url.origin);
  expect(
    allowedOrigins.some((origin) => location.startsWith(`${origin}/`)),
    location,
  ).toBe(true);
  expect(location).not.toMatch(/[\\\s]/);
  expect(url.username + url.password).toBe('');
}

/** The popup page's target origin, one allowed origin exactly; and where it goes when it has no opener. */
function expectSafeTarget(page: string) {
  const targets = [...page.matchAll(/postMessage\([^;]*,\s*("[^"]*")\)/g)].map((m) => JSON.parse(m[1]!) as string);
  expect(targets).toHaveLength(1);
  expect(allowedOrigins).toContain(targets[0]);
  for (const navigation of page.matchAll(/location\.(?:replace|assign)\(("[^"]*")\)/g)) expectSafeLocation(JSON.parse(navigation[1]!) as string);
  expect(page).not.toMatch(/location(\.href)?\s*=/);
}

describe('return_to: no open redirect', () => {
  const gateway = useGateway();

  it.each(refused)('refuses %s: %j with 400 return_to_not_allowed', async (_category, returnTo) => {
    const response = await createSession(gateway, returnTo);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('return_to_not_allowed');
    expect(response.body).not.toContain('"token"');
  });

  it.each(accepted)('accepts %s: %j, and sends the browser to its normalized form %j', async (_category, returnTo, sentTo) => {
    const end = await flowEnd(gateway, returnTo, 'redirect');
    expect(end?.statusCode).toBe(303);
    const location = String(end!.headers.location);
    expectSafeLocation(location);
    const url = new URL(location);
    expect(Object.fromEntries(url.searchParams)).toEqual({ zoom_connect: 'error', error: 'access_denied' });
    for (const name of ['zoom_connect', 'error']) url.searchParams.delete(name);
    expect(url.href).toBe(sentTo);
  });

  // Hostile pieces, assembled at random: whatever the gateway accepts, the browser ends on an allowed origin.
  // Each piece is benign more often than not, so that accepted (and normalized) values come up as well.
  const piece = (benign: string[], hostile: string[]) =>
    fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...benign) }, { weight: 1, arbitrary: fc.constantFrom(...hostile) });
  const hostile = fc
    .tuple(
      piece(
        ['https://', 'HTTPS://', 'https:', 'https:/', 'https:///'],
        ['https:\\', '//', '/', 'javascript:', 'JavaScript://', 'http://', ' https://', '%68ttps://'],
      ),
      piece([''], ['user@', 'app.example.com@', 'user:pass@', 'app.example.com%40', '%40']),
      piece(
        ['app.example.com', 'App.Example.COM', 'other.example.com', '%61pp.example.com', 'app%2eexample.com'],
        ['evil.com', 'app.example.com.evil.com', 'app.example.com%2F', 'app.example.com\\', 'app.example.com\u3002evil.com', '[::1]'],
      ),
      piece(['', ':443'], [':8443', '.', '%2F@evil.com', '\\@evil.com', '@evil.com', '%00', '\t']),
      piece(['', '/', '/settings', '//evil.com', '/%2F%2Fevil.com', '#@evil.com', '?next=//evil.com', '/..%2F..%2F'], ['/\\evil.com', '\\evil.com']),
      fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) }),
    )
    .map((parts) => parts.join(''));

  it('never lets a return_to assembled from hostile pieces send the browser, or the popup message, off the allowed origins', async () => {
    let acceptedCount = 0;
    await fc.assert(
      fc.asyncProperty(hostile, fc.constantFrom('redirect' as const, 'popup' as const), async (returnTo, mode) => {
        const end = await flowEnd(gateway, returnTo, mode);
        if (!end) return;
        acceptedCount++;
        if (mode === 'redirect') {
          expect(end.statusCode).toBe(303);
          expectSafeLocation(String(end.headers.location));
        } else {
          expect(end.statusCode).toBe(400);
          expectSafeTarget(end.body);
        }
      }),
      { numRuns: 150 },
    );
    // The property means something only if some hostile inputs were accepted (and normalized).
    expect(acceptedCount).toBeGreaterThan(0);
  });
});
