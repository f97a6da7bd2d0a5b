import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { hashSecret, secretLookupKey } from '../../src/connect/secrets.js';
import { appOrigin, useGateway, zoomClientId, type TestGateway } from '../support/gateway.js';
import { callback, callbackFor, createSession, launch, launchPathOf, postLaunch } from '../support/flow.js';

const redirectUri = 'https://gateway.example.com/v1/connect/zoom/callback';
const base64url32 = /^[A-Za-z0-9_-]{43}$/;
/** The state: its time (Unix milliseconds, base 36), a dot, then 32 random bytes in base64url. */
const timeOrderedState = /^([0-9a-z]{9})\.[A-Za-z0-9_-]{43}$/;
const asJson = { accept: 'application/json' };
const asBrowser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** The app's page submits its launch form to connect_url (from the app's origin). */
function openConnectUrl(gateway: TestGateway, connectUrl: string, headers: Record<string, string> = asBrowser) {
  return postLaunch(gateway, connectUrl, { headers });
}

/** Everything a browser receives from an answer: status line aside, its headers and its body. */
const visible = (response: LightMyRequestResponse) => `${JSON.stringify(response.headers)}\n${response.body}`;

const sha256Base64url = (text: string) => createHash('sha256').update(text, 'ascii').digest('base64url');

interface CreateCall {
  oauth_app: string;
  authorization_code: { code: string; redirect_uri: string; code_verifier: string };
}
const createCalls = (gateway: TestGateway) => gateway.recall.calls.filter((c) => c.operation === 'create').map((c) => c.body as CreateCall);

describe('POST /v1/connect/zoom (launch)', () => {
  const gateway = useGateway();

  describe('a valid launch code', () => {
    it("answers 303 to exactly ZOOM_AUTHORIZE_URL with the flow's six parameters, in order", async () => {
      const launched = await launch(gateway);
      const location = String(launched.response.headers.location);
      const challenge = launched.authorizeUrl.searchParams.get('code_challenge')!;
      expect(location).toBe(
        'https://zoom.us/oauth/authorize' +
          `?response_type=code&client_id=${zoomClientId}` +
          `&redirect_uri=${encodeURIComponent(redirectUri)}` +
          `&state=${launched.state}&code_challenge=${challenge}&code_challenge_method=S256`,
      );
    });

    it('sends no parameter but response_type, client_id, redirect_uri, state, code_challenge and code_challenge_method', async () => {
      const { authorizeUrl } = await launch(gateway);
      expect([...authorizeUrl.searchParams.keys()]).toEqual([
        'response_type',
        'client_id',
        'redirect_uri',
        'state',
        'code_challenge',
        'code_challenge_method',
      ]);
      expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
      expect(authorizeUrl.searchParams.get('client_id')).toBe(zoomClientId);
      expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    });

    it('sends redirect_uri as the configured string, byte for byte once decoded', async () => {
      const { response } = await launch(gateway);
      const raw = /[?&]redirect_uri=([^&]*)/.exec(String(response.headers.location))![1]!;
      expect(decodeURIComponent(raw)).toBe(redirectUri);
    });

    it('sends a fresh 32-byte state and code challenge for every flow', async () => {
      const first = await launch(gateway);
      const second = await launch(gateway);
      expect(first.state).toMatch(timeOrderedState);
      expect(first.authorizeUrl.searchParams.get('code_challenge')).toMatch(base64url32);
      expect(second.state).not.toBe(first.state);
      expect(second.authorizeUrl.searchParams.get('code_challenge')).not.toBe(first.authorizeUrl.searchParams.get('code_challenge'));
    });

    it('calls nothing at Recall', async () => {
      await launch(gateway);
      expect(gateway.recall.calls).toEqual([]);
    });

    it('marks the session launched in the store', async () => {
      const session = await createSession(gateway);
      await openConnectUrl(gateway, session.connect_url);
      expect(await gateway.store.findSessionByToken(hashSecret(session.token))).toMatchObject({ launchedAt: gateway.clock.now.toISOString() });
    });
  });

  describe('PKCE', () => {
    it('sends code_challenge = BASE64URL(SHA256(the code_verifier Recall receives))', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway);
      expect((await callbackFor(gateway, launched)).statusCode).toBe(303);
      const [create] = createCalls(gateway);
      const verifier = create!.authorization_code.code_verifier;
      expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      expect(launched.authorizeUrl.searchParams.get('code_challenge')).toBe(sha256Base64url(verifier));
    });

    it('never lets the code_verifier reach the browser', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway);
      const answer = await callbackFor(gateway, launched);
      const verifier = createCalls(gateway)[0]!.authorization_code.code_verifier;
      expect(String(launched.response.headers.location)).not.toContain(verifier);
      expect(visible(launched.response)).not.toContain(verifier);
      expect(visible(answer)).not.toContain(verifier);
    });

    it('keeps the code_verifier in the store only until the callback has used it', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway);
      await callbackFor(gateway, launched);
      expect(createCalls(gateway)[0]!.authorization_code.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = await gateway.store.consumeFlow(secretLookupKey(launched.state), gateway.clock.now.toISOString());
      expect(stored).toMatchObject({ outcome: 'reused', flow: { codeVerifier: '' } });
    });
  });

  describe('the binding cookie over an https PUBLIC_URL', () => {
    it('is one __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, Max-Age=600, no Domain', async () => {
      const { response } = await launch(gateway);
      const header = response.headers['set-cookie'];
      expect(typeof header, 'exactly one Set-Cookie').toBe('string');
      const [nameValue, ...attributes] = String(header).split(/;\s*/);
      expect(nameValue).toMatch(/^__Host-zcg-flow-[A-Za-z0-9_-]+=[A-Za-z0-9_-]{43}$/);
      expect(attributes.map((a) => a.toLowerCase()).sort()).toEqual(['httponly', 'max-age=600', 'path=/', 'samesite=lax', 'secure']);
    });

    it('holds neither the state nor the session token', async () => {
      const launched = await launch(gateway);
      expect(launched.cookie.value).not.toBe(launched.state);
      expect(String(launched.response.headers['set-cookie'])).not.toContain(launched.state);
      expect(String(launched.response.headers['set-cookie'])).not.toContain(launched.token);
    });

    it('is a new cookie, with its own name, for every flow', async () => {
      const first = await launch(gateway);
      const second = await launch(gateway);
      expect(second.cookie.name).not.toBe(first.cookie.name);
      expect(second.cookie.value).not.toBe(first.cookie.value);
    });
  });

  describe('two tabs in one browser', () => {
    it('both finish connected when two sessions of one end user launch side by side (both cookies sent each time)', async () => {
      gateway.recall.prefer('create', 'code=201, example=created', 'code=201, example=created');
      const first = await launch(gateway, { end_user_id: 'user_42' });
      const second = await launch(gateway, { end_user_id: 'user_42' });
      const jar = { [first.cookie.name]: first.cookie.value, [second.cookie.name]: second.cookie.value };

      const answers = [
        await callback(gateway, { code: 'zoom-code-tab-1', state: first.state }, jar),
        await callback(gateway, { code: 'zoom-code-tab-2', state: second.state }, jar),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(303);
        expect(new URL(String(answer.headers.location)).searchParams.get('zoom_connect')).toBe('connected');
      }
      expect(createCalls(gateway).map((c) => c.authorization_code.code)).toEqual(['zoom-code-tab-1', 'zoom-code-tab-2']);
      expect(await gateway.store.getConnectionByEndUser('user_42')).toMatchObject({ status: 'connected' });
    });

    it('both finish connected for two end users, each callback clearing only its own cookie', async () => {
      gateway.recall.prefer('create', 'code=201, example=created', 'code=201, example=created');
      const first = await launch(gateway, { end_user_id: 'user_42' });
      const second = await launch(gateway, { end_user_id: 'user_57' });
      const jar = { [first.cookie.name]: first.cookie.value, [second.cookie.name]: second.cookie.value };

      const secondAnswer = await callback(gateway, { code: 'zoom-code-tab-2', state: second.state }, jar);
      const firstAnswer = await callback(gateway, { code: 'zoom-code-tab-1', state: first.state }, jar);
      expect([firstAnswer.statusCode, secondAnswer.statusCode]).toEqual([303, 303]);
      expect(firstAnswer.cookies.map((c) => c.name)).toEqual([first.cookie.name]);
      expect(secondAnswer.cookies.map((c) => c.name)).toEqual([second.cookie.name]);
      expect(await gateway.store.getConnectionByEndUser('user_42')).toMatchObject({ status: 'connected' });
      expect(await gateway.store.getConnectionByEndUser('user_57')).toMatchObject({ status: 'connected' });
      const verifiers = createCalls(gateway).map((c) => c.authorization_code.code_verifier);
      expect(new Set(verifiers).size).toBe(2);
    });
  });

  describe('a launch code used twice', () => {
    it('in redirect mode sends the browser back to return_to with error=session_used (303)', async () => {
      const session = await createSession(gateway, { return_to: `${appOrigin}/settings?tab=zoom` });
      expect((await openConnectUrl(gateway, session.connect_url)).statusCode).toBe(303);
      const again = await openConnectUrl(gateway, session.connect_url);
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe(`${appOrigin}/settings?tab=zoom&zoom_connect=error&error=session_used`);
      expect(again.headers['set-cookie']).toBeUndefined();
    });

    it("replaces return_to's own result parameters instead of repeating them", async () => {
      const session = await createSession(gateway, {
        return_to: `${appOrigin}/settings?zoom_connect=connected&error=none&connection_id=forged&tab=zoom`,
      });
      await openConnectUrl(gateway, session.connect_url);
      const again = await openConnectUrl(gateway, session.connect_url);
      expect(again.headers.location).toBe(`${appOrigin}/settings?tab=zoom&zoom_connect=error&error=session_used`);
    });

    it('in popup mode answers 400 with a page posting session_used to the return_to origin only', async () => {
      const session = await createSession(gateway, { mode: 'popup', return_to: `${appOrigin}/settings` });
      await openConnectUrl(gateway, session.connect_url);
      const again = await openConnectUrl(gateway, session.connect_url);
      expect(again.statusCode).toBe(400);
      expect(String(again.headers['content-type'])).toContain('text/html');
      expect(again.body).toContain('postMessage(');
      expect(again.body).toMatch(/"error":\s*"session_used"/);
      expect(again.body).toContain('"https://app.example.com"');
      expect(again.body).not.toMatch(/["']\*["']/);
      expect(again.headers['set-cookie']).toBeUndefined();
    });

    it('without return_to answers 400 session_used as a problem to a client asking for JSON', async () => {
      const session = await createSession(gateway, { return_to: undefined });
      await openConnectUrl(gateway, session.connect_url);
      const again = await openConnectUrl(gateway, session.connect_url, asJson);
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ code: 'session_used', status: 400 });
    });

    it('starts exactly one flow when both uses arrive at once', async () => {
      const session = await createSession(gateway);
      const answers = await Promise.all([openConnectUrl(gateway, session.connect_url), openConnectUrl(gateway, session.connect_url)]);
      expect(answers.map((a) => new URL(String(a.headers.location)).origin).sort()).toEqual([appOrigin, 'https://zoom.us']);
      expect(answers.filter((a) => a.headers['set-cookie'] !== undefined)).toHaveLength(1);
    });
  });

  describe('a launch the database fails half-way', () => {
    it('spends nothing when its flow cannot be stored: the same connect link launches afterwards', async () => {
      const session = await createSession(gateway);
      const claimLaunch = gateway.store.claimLaunch;
      // The flow's insert fails (a session the store does not have) after the launch code's claim, in one transaction.
      vi.spyOn(gateway.store, 'claimLaunch').mockImplementationOnce((launchHash, now, firstFlow) =>
        claimLaunch(launchHash, now, (claimed) => {
          const flow = firstFlow?.(claimed);
          return flow && { ...flow, sessionId: 'a-session-never-stored' };
        }),
      );
      const failed = await openConnectUrl(gateway, session.connect_url, asJson);
      expect(failed.statusCode).toBe(500);
      const retried = await openConnectUrl(gateway, session.connect_url);
      expect(retried.statusCode).toBe(303);
      expect(new URL(String(retried.headers.location)).origin).toBe('https://zoom.us');
    });
  });

  describe('an unknown launch code', () => {
    it('is 400 session_invalid as problem+json when Accept asks for JSON', async () => {
      const response = await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom?launch=not-a-launch-code', { headers: asJson });
      expect(response.statusCode).toBe(400);
      expect(String(response.headers['content-type'])).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'session_invalid', status: 400 });
    });

    it('is 400 session_invalid as an HTML page for a browser', async () => {
      const response = await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom?launch=not-a-launch-code', { headers: asBrowser });
      expect(response.statusCode).toBe(400);
      expect(String(response.headers['content-type'])).toContain('text/html');
      expect(response.body).toContain('session_invalid');
      expect(response.body).not.toContain('not-a-launch-code');
    });

    it('is what a session token is, used as a launch code', async () => {
      const session = await createSession(gateway);
      const response = await postLaunch(gateway, `https://gateway.example.com/v1/connect/zoom?launch=${session.token}`, { headers: asJson });
      expect(response.json()).toMatchObject({ code: 'session_invalid' });
    });
  });

  describe("after the session's expiry", () => {
    it('the launch is refused with session_expired, back to return_to in redirect mode', async () => {
      const session = await createSession(gateway);
      gateway.clock.advance(1800);
      const response = await openConnectUrl(gateway, session.connect_url);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`${appOrigin}/settings?zoom_connect=error&error=session_expired`);
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('the launch is refused with 400 session_expired without return_to', async () => {
      const session = await createSession(gateway, { return_to: undefined });
      gateway.clock.advance(1800);
      const response = await openConnectUrl(gateway, session.connect_url, asJson);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'session_expired' });
    });

    it('an expired link opened twice says session_expired both times, never session_used', async () => {
      const session = await createSession(gateway, { return_to: undefined });
      gateway.clock.advance(1800);
      for (const _ of [1, 2]) {
        const response = await openConnectUrl(gateway, session.connect_url, asJson);
        expect(response.json()).toMatchObject({ code: 'session_expired' });
      }
    });

    it('a second before it, the launch still starts a flow', async () => {
      const session = await createSession(gateway);
      gateway.clock.advance(1799);
      const response = await openConnectUrl(gateway, session.connect_url);
      expect(response.statusCode).toBe(303);
      expect(String(response.headers.location)).toMatch(/^https:\/\/zoom\.us\/oauth\/authorize\?/);
    });
  });

  describe('a malformed launch', () => {
    const malformed = [
      ['no launch parameter', '/v1/connect/zoom'],
      ['an empty launch parameter', '/v1/connect/zoom?launch='],
      ['a launch parameter over 256 characters', `/v1/connect/zoom?launch=${'a'.repeat(257)}`],
    ] as const;

    it.each(malformed)('with %s is 400 invalid_request naming query.launch', async (_what, url) => {
      const response = await postLaunch(gateway, `https://gateway.example.com${url}`, { headers: asJson });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'invalid_request' });
      expect((response.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['query.launch']);
    });

    it('with no launch parameter is an HTML page for a browser', async () => {
      const response = await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom', { headers: asBrowser });
      expect(response.statusCode).toBe(400);
      expect(String(response.headers['content-type'])).toContain('text/html');
      expect(response.body).toContain('invalid_request');
    });

    it('with a multipart body (a form with enctype=multipart/form-data) is 400 invalid_request, and spends nothing', async () => {
      const session = await createSession(gateway);
      const response = await postLaunch(gateway, session.connect_url, {
        headers: { ...asJson, 'content-type': 'multipart/form-data; boundary=x' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'invalid_request' });
      expect((await openConnectUrl(gateway, session.connect_url)).headers['set-cookie']).toBeDefined();
    });
  });

  describe('the launch code in the form body', () => {
    const launchCodeOf = (connectUrl: string) => new URL(connectUrl).searchParams.get('launch')!;

    it('starts the flow when the form carries it and the query does not', async () => {
      const session = await createSession(gateway);
      const response = await gateway.request({
        method: 'POST',
        url: '/v1/connect/zoom',
        headers: { origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ launch: launchCodeOf(session.connect_url) }).toString(),
      });
      expect(response.statusCode).toBe(303);
      expect(String(response.headers.location)).toMatch(/^https:\/\/zoom\.us\/oauth\/authorize\?/);
      expect(response.cookies).toHaveLength(1);
    });

    it('is refused with 400 invalid_request when the form and the query carry two different codes', async () => {
      const [first, second] = [await createSession(gateway), await createSession(gateway)];
      const response = await gateway.request({
        method: 'POST',
        url: launchPathOf(first.connect_url),
        headers: { origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded', ...asJson },
        payload: new URLSearchParams({ launch: launchCodeOf(second.connect_url) }).toString(),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [{ path: 'body.launch' }] });
      expect((await openConnectUrl(gateway, first.connect_url)).statusCode).toBe(303);
      expect((await openConnectUrl(gateway, second.connect_url)).statusCode).toBe(303);
    });
  });

  describe('every launch answer', () => {
    type Scenario = (gateway: TestGateway) => Promise<{ response: LightMyRequestResponse; token?: string }>;
    const scenarios: [string, Scenario][] = [
      [
        'a started flow (303 to Zoom)',
        async (g) => {
          const session = await createSession(g);
          return { response: await openConnectUrl(g, session.connect_url), token: session.token };
        },
      ],
      [
        'a used code in redirect mode (303)',
        async (g) => {
          const session = await createSession(g);
          await openConnectUrl(g, session.connect_url);
          return { response: await openConnectUrl(g, session.connect_url), token: session.token };
        },
      ],
      [
        'a used code in popup mode (page)',
        async (g) => {
          const session = await createSession(g, { mode: 'popup' });
          await openConnectUrl(g, session.connect_url);
          return { response: await openConnectUrl(g, session.connect_url), token: session.token };
        },
      ],
      [
        'an expired session without return_to (problem)',
        async (g) => {
          const session = await createSession(g, { return_to: undefined });
          g.clock.advance(3600);
          return { response: await openConnectUrl(g, session.connect_url, asJson), token: session.token };
        },
      ],
      [
        'an unknown code (page)',
        async (g) => ({ response: await postLaunch(g, 'https://gateway.example.com/v1/connect/zoom?launch=unknown', { headers: asBrowser }) }),
      ],
      [
        'an unknown code (problem)',
        async (g) => ({ response: await postLaunch(g, 'https://gateway.example.com/v1/connect/zoom?launch=unknown', { headers: asJson }) }),
      ],
      [
        'a missing launch parameter (problem)',
        async (g) => ({ response: await postLaunch(g, 'https://gateway.example.com/v1/connect/zoom', { headers: asJson }) }),
      ],
      [
        'a missing launch parameter (page)',
        async (g) => ({ response: await postLaunch(g, 'https://gateway.example.com/v1/connect/zoom', { headers: asBrowser }) }),
      ],
    ];

    it.each(scenarios)('carries Cache-Control: no-store and Referrer-Policy: no-referrer: %s', async (_what, scenario) => {
      const { response } = await scenario(gateway);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    });

    it.each(scenarios.slice(0, 4))('never carries the session token: %s', async (_what, scenario) => {
      const { response, token } = await scenario(gateway);
      expect(token).toBeDefined();
      expect(visible(response)).not.toContain(token);
    });
  });
});
