import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/connect/secrets.js';
import { appOrigin, testApiKey, useGateway, type TestGateway } from '../support/gateway.js';

const base64url32 = /^[A-Za-z0-9_-]{43}$/;
const otherApiKey = 'test-gateway-api-key-0002';

function post(gateway: TestGateway, payload: unknown, headers: Record<string, string> = { authorization: `Bearer ${testApiKey}` }) {
  return gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers, payload: payload as Record<string, unknown> });
}

async function created(gateway: TestGateway, payload: Record<string, unknown>) {
  const response = await post(gateway, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { token: string; expires_at: string; connect_url: string };
}

function expectProblem(response: { statusCode: number; json(): unknown; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toContain('application/problem+json');
  expect(response.json()).toMatchObject({ status, code });
}

describe('POST /v1/connect-sessions', () => {
  const gateway = useGateway();

  describe('a created session', () => {
    it('answers 201 with token, expires_at and connect_url, and nothing else', async () => {
      const response = await post(gateway, { end_user_id: 'user_42', return_to: `${appOrigin}/settings` });
      expect(response.statusCode).toBe(201);
      expect(Object.keys(response.json()).sort()).toEqual(['connect_url', 'expires_at', 'token']);
    });

    it('has a token of 32 random bytes in base64url (43 characters), new for every session', async () => {
      const first = await created(gateway, { end_user_id: 'user_42' });
      const second = await created(gateway, { end_user_id: 'user_42' });
      expect(first.token).toMatch(base64url32);
      expect(Buffer.from(first.token, 'base64url')).toHaveLength(32);
      expect(second.token).not.toBe(first.token);
    });

    it('has a connect_url on PUBLIC_URL carrying only a launch code, different from the token', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      const url = new URL(session.connect_url);
      expect(`${url.origin}${url.pathname}`).toBe('https://gateway.example.com/v1/connect/zoom');
      expect([...url.searchParams.keys()]).toEqual(['launch']);
      const launch = url.searchParams.get('launch')!;
      expect(launch).toMatch(base64url32);
      expect(launch).not.toBe(session.token);
      expect(session.connect_url).not.toContain(session.token);
    });

    it('expires CONNECT_SESSION_TTL_S (1800 s by default) after it was created', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      expect(session.expires_at).toBe(new Date(gateway.clock.now.getTime() + 1800 * 1000).toISOString());
    });

    it('is stored for its end user, return_to and mode, found by the hash of its token only', async () => {
      const session = await created(gateway, { end_user_id: 'user_42', return_to: `${appOrigin}/settings?tab=zoom`, mode: 'popup' });
      expect(await gateway.store.findSessionByToken(session.token)).toBeUndefined();
      expect(await gateway.store.findSessionByToken(hashSecret(session.token))).toMatchObject({
        endUserId: 'user_42',
        returnTo: `${appOrigin}/settings?tab=zoom`,
        mode: 'popup',
        expiresAt: session.expires_at,
        launchedAt: null,
      });
    });

    it('can have its launch code claimed by the hash of the code only', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      const launch = new URL(session.connect_url).searchParams.get('launch')!;
      const now = gateway.clock.now.toISOString();
      expect(await gateway.store.claimLaunch(launch, now)).toEqual({ outcome: 'unknown' });
      expect(await gateway.store.claimLaunch(hashSecret(launch), now)).toMatchObject({ outcome: 'claimed' });
    });

    it('defaults to redirect mode without return_to', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      expect(await gateway.store.findSessionByToken(hashSecret(session.token))).toMatchObject({ returnTo: null, mode: 'redirect' });
    });

    it('gives a token that is a bearer for /v1/me/', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      const response = await gateway.request({ method: 'GET', url: '/v1/me/connection', headers: { authorization: `Bearer ${session.token}` } });
      expectProblem(response, 404, 'not_connected');
    });
    it('gives a token that stops being a bearer at expires_at', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      gateway.clock.advance(1800);
      const response = await gateway.request({ method: 'GET', url: '/v1/me/connection', headers: { authorization: `Bearer ${session.token}` } });
      expectProblem(response, 401, 'unauthorized');
    });
  });

  describe('end_user_id', () => {
    it.each([1, 256])('takes %i characters', async (length) => {
      const session = await created(gateway, { end_user_id: 'u'.repeat(length) });
      expect(await gateway.store.findSessionByToken(hashSecret(session.token))).toMatchObject({ endUserId: 'u'.repeat(length) });
    });

    it.each([
      ['empty', ''],
      ['257 characters', 'u'.repeat(257)],
      ['a number', 42],
      ['missing', undefined],
    ])('refuses one that is %s with invalid_request naming body.end_user_id', async (_what, endUserId) => {
      const response = await post(gateway, { end_user_id: endUserId, return_to: `${appOrigin}/settings` });
      expectProblem(response, 400, 'invalid_request');
      expect((response.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain('body.end_user_id');
    });
  });

  describe('return_to', () => {
    it.each([
      ['a look-alike host ending in evil.com', 'https://app.example.com.evil.com/settings'],
      ['the allowed host in the path', 'https://evil.com/app.example.com'],
      ['a look-alike top-level domain', 'https://app.example.co/settings'],
      ['the allowed host as user information', 'https://app.example.com@evil.com/settings'],
      ['user and password', 'https://user:pass@app.example.com/settings'],
      ['a user only', 'https://user@app.example.com/settings'],
      ['protocol-relative', '//evil.com/settings'],
      ['protocol-relative to the allowed host', '//app.example.com/settings'],
      ['a relative path', '/settings'],
      ['a backslash before @', 'https://app.example.com\\@evil.com'],
      ['backslashes for slashes', 'https:\\\\evil.com'],
      ['a slash and a backslash', 'https:/\\evil.com'],
      ['a percent-encoded slash before @', 'https://app.example.com%2F@evil.com'],
      ['a percent-encoded @', 'https://app.example.com%40evil.com'],
      ['a percent-encoded #', 'https://evil.com%23.app.example.com'],
      ['a percent-encoded dot', 'https://app.example.com%2Eevil.com/settings'],
      ['a tab in the host', 'https://app.example.com\t.evil.com'],
      ['a leading space', ' https://app.example.com/settings'],
      ['a javascript: URL', 'javascript:alert(document.domain)'],
      ['a javascript: URL shaped like the origin', 'javascript://app.example.com/%0Aalert(1)'],
      ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
      ['an ftp URL on the allowed host', 'ftp://app.example.com/settings'],
      ['http instead of https', 'http://app.example.com/settings'],
      ['another port', 'https://app.example.com:8443/settings'],
      ['a trailing dot on the host', 'https://app.example.com./settings'],
      ['the gateway itself (not listed)', 'https://gateway.example.com/'],
      ['an empty string', ''],
    ])('refuses %s with return_to_not_allowed', async (_what, returnTo) => {
      const response = await post(gateway, { end_user_id: 'user_42', return_to: returnTo });
      expectProblem(response, 400, 'return_to_not_allowed');
    });

    it.each([
      [
        'the exact origin with a path and a query',
        `${appOrigin}/settings/integrations?tab=zoom#top`,
        `${appOrigin}/settings/integrations?tab=zoom#top`,
      ],
      ['the second allowed origin', 'https://other.example.com/', 'https://other.example.com/'],
      ['a mixed-case scheme and host', 'HTTPS://App.Example.COM/Settings', `${appOrigin}/Settings`],
      ['the default port written out', 'https://app.example.com:443/settings', `${appOrigin}/settings`],
    ])('takes %s, stored normalized', async (_what, returnTo, stored) => {
      const session = await created(gateway, { end_user_id: 'user_42', return_to: returnTo });
      expect(await gateway.store.findSessionByToken(hashSecret(session.token))).toMatchObject({ returnTo: stored });
    });

    it('is required in popup mode', async () => {
      const response = await post(gateway, { end_user_id: 'user_42', mode: 'popup' });
      expectProblem(response, 400, 'invalid_request');
      expect((response.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['body.return_to']);
    });
  });

  describe('the rest of the body', () => {
    it('refuses an unknown mode, naming body.mode', async () => {
      const response = await post(gateway, { end_user_id: 'user_42', return_to: `${appOrigin}/settings`, mode: 'iframe' });
      expectProblem(response, 400, 'invalid_request');
      expect((response.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain('body.mode');
    });

    it('refuses an unknown field (the schema allows no additional properties), naming it', async () => {
      const response = await post(gateway, { end_user_id: 'user_42', return_to: `${appOrigin}/settings`, redirect_uri: 'https://evil.com/' });
      expectProblem(response, 400, 'invalid_request');
      expect((response.json() as { detail: string }).detail).toContain('redirect_uri');
    });

    it('refuses a body that is not JSON', async () => {
      const response = await gateway.request({
        method: 'POST',
        url: '/v1/connect-sessions',
        headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
        payload: '{"end_user_id":',
      });
      expectProblem(response, 400, 'invalid_request');
    });
  });

  describe('the API key', () => {
    it.each([
      ['no Authorization header', {}],
      ['an unknown key', { authorization: 'Bearer test-gateway-api-key-9999' }],
      ['a prefix of a valid key', { authorization: `Bearer ${testApiKey.slice(0, -1)}` }],
      ['a valid key in another scheme', { authorization: `Basic ${testApiKey}` }],
      ['a valid key without a scheme', { authorization: testApiKey }],
    ])('is refused with %s: 401 unauthorized with WWW-Authenticate', async (_what, headers) => {
      const response = await post(gateway, { end_user_id: 'user_42' }, headers);
      expectProblem(response, 401, 'unauthorized');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="zoom-connect-gateway"');
    });

    it('is refused when a session token is sent instead', async () => {
      const session = await created(gateway, { end_user_id: 'user_42' });
      const response = await post(gateway, { end_user_id: 'user_43' }, { authorization: `Bearer ${session.token}` });
      expectProblem(response, 401, 'unauthorized');
    });

    it('is checked before the body: no key and an invalid body is 401, not 400', async () => {
      const response = await post(gateway, { end_user_id: '', return_to: 'https://evil.com/' }, {});
      expectProblem(response, 401, 'unauthorized');
    });

    it('is rate limited when guessed: past 20 refused keys a minute, 429 rate_limited', async () => {
      const guess = { method: 'POST' as const, url: '/v1/connect-sessions', headers: { authorization: 'Bearer guessed-key-000000000' }, payload: {} };
      const refused = await Promise.all(Array.from({ length: 20 }, () => gateway.app.inject(guess)));
      expect(new Set(refused.map((r) => r.statusCode))).toEqual(new Set([401]));
      const response = await gateway.request(guess);
      expectProblem(response, 429, 'rate_limited');
      expect(response.headers['retry-after']).toBeDefined();
    });

    it('can be the second configured key (rotation)', async () => {
      const response = await post(gateway, { end_user_id: 'user_42' }, { authorization: `Bearer ${otherApiKey}` });
      expect(response.statusCode).toBe(201);
    });
  });
});

describe('POST /v1/connect-sessions with CONNECT_SESSION_TTL_S=120', () => {
  const gateway = useGateway({ CONNECT_SESSION_TTL_S: '120' });

  it('expires 120 s after it was created', async () => {
    const session = await created(gateway, { end_user_id: 'user_42' });
    expect(session.expires_at).toBe(new Date(gateway.clock.now.getTime() + 120 * 1000).toISOString());
  });
});
