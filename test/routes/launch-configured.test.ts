// The launch under other configurations: ZOOM_REDIRECT_URI with another path, a trailing slash or a query
// string (the callback then listens at that path), a ZOOM_AUTHORIZE_URL with its own query, plain http.
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway, zoomClientId, type TestGateway } from '../support/gateway.js';
import { callbackFor, createSession, launch, type Launched } from '../support/flow.js';

/** The raw value of a query parameter as it stands in the URL (not re-serialized). */
const rawParam = (url: string, name: string) => new RegExp(`[?&]${name}=([^&]*)`).exec(url)?.[1];

/**
 * Zoom's redirect back to ZOOM_REDIRECT_URI, with code and state appended to its query. Sent with
 * app.inject: the spec check of the harness knows only the default callback path.
 */
function zoomRedirectsBack(gateway: TestGateway, launched: Launched, redirectUri: string): Promise<LightMyRequestResponse> {
  const url = new URL(redirectUri);
  const query = new URLSearchParams(url.search);
  query.append('code', 'zoom-authorization-code');
  query.append('state', launched.state);
  return gateway.app.inject({
    method: 'GET',
    url: `${url.pathname}?${query.toString()}`,
    cookies: { [launched.cookie.name]: launched.cookie.value },
  });
}

describe.each([
  ['a path', 'https://gateway.example.com/oauth/zoom/return'],
  ['a path with a trailing slash', 'https://gateway.example.com/oauth/zoom/return/'],
  ['a query string', 'https://gateway.example.com/oauth/zoom/return?tenant=acme&note=a%20b'],
])('a ZOOM_REDIRECT_URI with %s', (_what, redirectUri) => {
  const gateway = useGateway({ ZOOM_REDIRECT_URI: redirectUri });

  it('is sent to Zoom byte for byte: the decoded redirect_uri is the configured string', async () => {
    const { response } = await launch(gateway);
    const raw = rawParam(String(response.headers.location), 'redirect_uri');
    expect(raw).toBeDefined();
    expect(decodeURIComponent(raw!)).toBe(redirectUri);
  });

  it('makes the Location exactly ZOOM_AUTHORIZE_URL with the six parameters', async () => {
    const launched = await launch(gateway);
    const challenge = launched.authorizeUrl.searchParams.get('code_challenge')!;
    expect(launched.response.headers.location).toBe(
      `https://zoom.us/oauth/authorize?response_type=code&client_id=${zoomClientId}&redirect_uri=${encodeURIComponent(redirectUri)}` +
        `&state=${launched.state}&code_challenge=${challenge}&code_challenge_method=S256`,
    );
  });

  it('finishes connected at that path, sending Recall the same string', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const answer = await zoomRedirectsBack(gateway, launched, redirectUri);
    expect(answer.statusCode, answer.body).toBe(303);
    expect(new URL(String(answer.headers.location)).searchParams.get('zoom_connect')).toBe('connected');
    const create = gateway.recall.calls.find((c) => c.operation === 'create')!;
    expect((create.body as { authorization_code: { redirect_uri: string } }).authorization_code.redirect_uri).toBe(redirectUri);
  });

  it('no longer listens at the default callback path', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/v1/connect/zoom/callback?code=x&state=y' });
    expect(response.statusCode).toBe(404);
  });
});

describe('a ZOOM_AUTHORIZE_URL with its own query string', () => {
  const authorizeUrl = 'https://zoom.example.com/oauth/authorize?prompt=consent';
  const gateway = useGateway({ ZOOM_AUTHORIZE_URL: authorizeUrl });

  it("keeps its query and appends the flow's parameters after it", async () => {
    const launched = await launch(gateway);
    const challenge = launched.authorizeUrl.searchParams.get('code_challenge')!;
    expect(launched.response.headers.location).toBe(
      `${authorizeUrl}&response_type=code&client_id=${zoomClientId}` +
        `&redirect_uri=${encodeURIComponent('https://gateway.example.com/v1/connect/zoom/callback')}` +
        `&state=${launched.state}&code_challenge=${challenge}&code_challenge_method=S256`,
    );
  });
});

describe('a ZOOM_AUTHORIZE_URL ending in its query separator', () => {
  const gateway = useGateway({ ZOOM_AUTHORIZE_URL: 'https://zoom.example.com/oauth/authorize?' });

  it("appends the flow's parameters without an empty one", async () => {
    const launched = await launch(gateway);
    expect(String(launched.response.headers.location)).toMatch(/^https:\/\/zoom\.example\.com\/oauth\/authorize\?response_type=code&client_id=/);
  });
});

describe('a plain-http PUBLIC_URL', () => {
  const gateway = useGateway({
    PUBLIC_URL: 'http://127.0.0.1:3000',
    ZOOM_REDIRECT_URI: 'http://127.0.0.1:3000/v1/connect/zoom/callback',
    ALLOWED_RETURN_ORIGINS: `http://127.0.0.1:5173,${appOrigin}`,
  });

  it('sets a binding cookie without the __Host- prefix and without Secure; HttpOnly, SameSite=Lax, Path=/, Max-Age=600, no Domain', async () => {
    const { response } = await launch(gateway);
    const header = response.headers['set-cookie'];
    expect(typeof header, 'exactly one Set-Cookie').toBe('string');
    const [nameValue, ...attributes] = String(header).split(/;\s*/);
    expect(nameValue).toMatch(/^zcg-flow-[A-Za-z0-9_-]+=[A-Za-z0-9_-]{43}$/);
    expect(attributes.map((a) => a.toLowerCase()).sort()).toEqual(['httponly', 'max-age=600', 'path=/', 'samesite=lax']);
  });

  it('gives a connect_url on the http PUBLIC_URL', async () => {
    const session = await createSession(gateway);
    expect(session.connect_url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/v1\/connect\/zoom\?launch=[A-Za-z0-9_-]{43}$/);
  });

  it('finishes connected with the bare-named cookie sent back', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const answer = await callbackFor(gateway, launched);
    expect(answer.statusCode).toBe(303);
    expect(new URL(String(answer.headers.location)).searchParams.get('zoom_connect')).toBe('connected');
  });
});

describe('FLOW_TTL_S=120', () => {
  const gateway = useGateway({ FLOW_TTL_S: '120' });

  it('gives the binding cookie Max-Age=120', async () => {
    const { response } = await launch(gateway);
    expect(String(response.headers['set-cookie'])).toMatch(/; Max-Age=120(;|$)/);
  });
});
