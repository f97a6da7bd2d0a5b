// The callback's outcomes that are decided before Recall is asked anything: the state, the binding cookie and
// Zoom's own answer. None of them may reach Recall or write a connection.
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway, type TestGateway } from '../support/gateway.js';
import { callback, launch, type Launched } from '../support/flow.js';
import { loadSpec } from '../support/spec.js';

const returnTo = `${appOrigin}/settings`;
const acceptJson = { accept: 'application/json' };
const acceptHtml = { accept: 'text/html,application/xhtml+xml' };

/** Where a 303 sends the browser: return_to, and the result parameters the gateway added to it. */
function redirectResult(response: LightMyRequestResponse) {
  const location = new URL(String(response.headers.location));
  return { target: `${location.origin}${location.pathname}`, params: Object.fromEntries(location.searchParams) };
}

function expectCookieCleared(response: LightMyRequestResponse, name: string) {
  expect(response.cookies.find((cookie) => cookie.name === name)).toMatchObject({ value: '', maxAge: 0, path: '/', httpOnly: true, secure: true });
}

function expectNoCookieSet(response: LightMyRequestResponse) {
  expect(response.headers['set-cookie']).toBeUndefined();
}

async function expectUntouched(gateway: TestGateway) {
  expect(gateway.recall.calls).toEqual([]);
  expect(await gateway.store.listConnections({ limit: 100 })).toEqual([]);
}

function expectErrorRedirect(response: LightMyRequestResponse, code: string) {
  expect(response.statusCode).toBe(303);
  expect(redirectResult(response)).toEqual({ target: returnTo, params: { zoom_connect: 'error', error: code } });
}

const bindingOf = (launched: Launched) => ({ [launched.cookie.name]: launched.cookie.value });

describe('callback outcomes found before Recall is called', () => {
  const gateway = useGateway();

  describe('with no known flow', () => {
    it('answers state_missing as problem+json to a client that asks for JSON', async () => {
      const response = await callback(gateway, { code: 'zoom-code' }, {}, acceptJson);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 400, code: 'state_missing' });
      expectNoCookieSet(response);
      await expectUntouched(gateway);
    });

    it('answers state_missing with an HTML page to a browser', async () => {
      const response = await callback(gateway, { code: 'zoom-code' }, {}, acceptHtml);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('state_missing');
      await expectUntouched(gateway);
    });

    it('answers state_missing with an HTML page when the request names no Accept at all', async () => {
      const response = await callback(gateway, { error: 'access_denied' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('state_missing');
      await expectUntouched(gateway);
    });

    it('answers state_invalid as problem+json for a state this gateway never issued', async () => {
      await launch(gateway);
      const response = await callback(gateway, { code: 'zoom-code', state: 'AqVWZHimU-JDB7QF2SBcLVtv86sWLR_SkJTUvgmiJ8k' }, {}, acceptJson);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'state_invalid' });
      expectNoCookieSet(response);
      await expectUntouched(gateway);
    });

    it('answers state_invalid with an HTML page to a browser', async () => {
      const response = await callback(gateway, { code: 'zoom-code', state: 'never-issued' }, {}, acceptHtml);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('state_invalid');
      await expectUntouched(gateway);
    });

    it('does not take an unknown state for a known flow even when a real binding cookie comes with it', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { code: 'zoom-code', state: `${launched.state}x` }, bindingOf(launched), acceptJson);
      expect(response.json()).toMatchObject({ code: 'state_invalid' });
      await expectUntouched(gateway);
    });
  });

  describe('with a known flow in redirect mode', () => {
    it('answers state_expired with a 303 to return_to once FLOW_TTL_S has passed, and clears the cookie', async () => {
      const launched = await launch(gateway);
      gateway.clock.advance(gateway.config.flowTtlS + 1);
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'state_expired');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it('still accepts a callback one second before FLOW_TTL_S runs out', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway);
      gateway.clock.advance(gateway.config.flowTtlS - 1);
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expect(redirectResult(response).params.zoom_connect).toBe('connected');
    });

    it('answers state_reused with a 303 when the state comes back a second time, and clears the cookie', async () => {
      const launched = await launch(gateway);
      await callback(gateway, { error: 'access_denied', state: launched.state }, bindingOf(launched));
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'state_reused');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it('answers state_cookie_missing with a 303 when the browser sends no binding cookie', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state });
      expectErrorRedirect(response, 'state_cookie_missing');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it("answers state_cookie_missing when the browser only holds another flow's cookie", async () => {
      const mine = await launch(gateway);
      const other = await launch(gateway, { end_user_id: 'user_43' });
      const response = await callback(gateway, { code: 'zoom-code', state: mine.state }, bindingOf(other));
      expectErrorRedirect(response, 'state_cookie_missing');
      await expectUntouched(gateway);
    });

    it("answers state_mismatch when the flow's cookie carries another flow's binding value", async () => {
      const mine = await launch(gateway);
      const other = await launch(gateway, { end_user_id: 'user_43' });
      const response = await callback(gateway, { code: 'zoom-code', state: mine.state }, { [mine.cookie.name]: other.cookie.value });
      expectErrorRedirect(response, 'state_mismatch');
      expectCookieCleared(response, mine.cookie.name);
      await expectUntouched(gateway);
    });

    it("answers state_mismatch when the flow's cookie value was tampered with", async () => {
      const launched = await launch(gateway);
      const tampered = `${launched.cookie.value.slice(0, -1)}${launched.cookie.value.endsWith('A') ? 'B' : 'A'}`;
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, { [launched.cookie.name]: tampered });
      expectErrorRedirect(response, 'state_mismatch');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it('answers access_denied with a 303 when Zoom says the user declined', async () => {
      const launched = await launch(gateway);
      const response = await callback(
        gateway,
        { error: 'access_denied', error_description: 'The user denied the request', state: launched.state },
        bindingOf(launched),
      );
      expectErrorRedirect(response, 'access_denied');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it('answers zoom_error with a 303 when Zoom sends any other error', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { error: 'server_error', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'zoom_error');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it('answers zoom_error, not a connection, when Zoom sends an error together with a code', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { error: 'temporarily_unavailable', code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'zoom_error');
      await expectUntouched(gateway);
    });

    it('answers code_missing with a 303 when Zoom sends neither a code nor an error', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'code_missing');
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it('answers code_missing when the code is empty', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { code: '', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'code_missing');
      await expectUntouched(gateway);
    });

    it('keeps the query return_to already had, replacing only the result parameters', async () => {
      const launched = await launch(gateway, { return_to: `${appOrigin}/settings?tab=zoom&error=stale&zoom_connect=old` });
      const response = await callback(gateway, { error: 'access_denied', state: launched.state }, bindingOf(launched));
      expect(redirectResult(response).params).toEqual({ tab: 'zoom', zoom_connect: 'error', error: 'access_denied' });
    });
  });

  describe('with a known flow and no return_to, or in a popup', () => {
    type Failing = (launched: Launched, headers: Record<string, string>) => Promise<LightMyRequestResponse>;
    const failures: Array<[string, Failing]> = [
      [
        'state_expired',
        (launched, headers) => {
          gateway.clock.advance(gateway.config.flowTtlS + 1);
          return callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched), headers);
        },
      ],
      [
        'state_reused',
        async (launched, headers) => {
          await callback(gateway, { error: 'access_denied', state: launched.state }, bindingOf(launched));
          return callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched), headers);
        },
      ],
      ['state_cookie_missing', (launched, headers) => callback(gateway, { code: 'zoom-code', state: launched.state }, {}, headers)],
      [
        'state_mismatch',
        (launched, headers) =>
          callback(gateway, { code: 'zoom-code', state: launched.state }, { [launched.cookie.name]: 'forged-binding-value' }, headers),
      ],
      ['access_denied', (launched, headers) => callback(gateway, { error: 'access_denied', state: launched.state }, bindingOf(launched), headers)],
      ['zoom_error', (launched, headers) => callback(gateway, { error: 'server_error', state: launched.state }, bindingOf(launched), headers)],
      ['code_missing', (launched, headers) => callback(gateway, { state: launched.state }, bindingOf(launched), headers)],
    ];

    it.each(failures)('answers %s as problem+json to a JSON client when the session has no return_to', async (code, fail) => {
      const launched = await launch(gateway, { return_to: undefined });
      const response = await fail(launched, acceptJson);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 400, code });
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it.each(failures)('answers %s with an HTML page to a browser when the session has no return_to', async (code, fail) => {
      const launched = await launch(gateway, { return_to: undefined });
      const response = await fail(launched, acceptHtml);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain(`<code>${code}</code>`);
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });

    it.each(failures)('answers %s in a popup with a page that posts the error to the opener', async (code, fail) => {
      const launched = await launch(gateway, { mode: 'popup' });
      const response = await fail(launched, acceptJson);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain(`"ok":false,"connection_id":null,"error":"${code}"`);
      expectCookieCleared(response, launched.cookie.name);
      await expectUntouched(gateway);
    });
  });

  describe('a malformed callback', () => {
    it('answers a repeated state with an invalid_request page, leaving the flow for the real callback', async () => {
      const launched = await launch(gateway);
      const response = await gateway.request({
        method: 'GET',
        url: `/v1/connect/zoom/callback?code=zoom-code&state=${encodeURIComponent(launched.state)}&state=other`,
        cookies: bindingOf(launched),
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toContain('invalid_request');
      await expectUntouched(gateway);
      gateway.recall.prefer('create', 'code=201, example=created');
      const real = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expect(redirectResult(real).params.zoom_connect).toBe('connected');
    });
  });

  describe('the state is spent before the code, the error or the cookie is looked at', () => {
    it("spends the state on Zoom's error: the same state with a code then answers state_reused", async () => {
      const launched = await launch(gateway);
      await callback(gateway, { error: 'access_denied', state: launched.state }, bindingOf(launched));
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'state_reused');
      await expectUntouched(gateway);
    });

    it("spends the state on a callback without the cookie: the real browser's callback then answers state_reused", async () => {
      const launched = await launch(gateway);
      await callback(gateway, { code: 'injected-code', state: launched.state });
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'state_reused');
      await expectUntouched(gateway);
    });

    it('spends the state on an expired flow: a later callback answers state_reused, not state_expired', async () => {
      const launched = await launch(gateway);
      gateway.clock.advance(gateway.config.flowTtlS + 1);
      await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      const response = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expectErrorRedirect(response, 'state_reused');
      await expectUntouched(gateway);
    });

    it('checks the state before the code: a code with an unknown state never reaches Recall', async () => {
      const launched = await launch(gateway);
      const response = await callback(gateway, { code: 'zoom-code', state: 'forged' }, bindingOf(launched), acceptJson);
      expect(response.json()).toMatchObject({ code: 'state_invalid' });
      await expectUntouched(gateway);
      // the real flow is still there for the real callback
      gateway.recall.prefer('create', 'code=201, example=created');
      const real = await callback(gateway, { code: 'zoom-code', state: launched.state }, bindingOf(launched));
      expect(redirectResult(real).params.zoom_connect).toBe('connected');
    });
  });
});

describe('a callback query the gateway cannot read', () => {
  const gateway = useGateway();
  type Responses = Record<string, { content: Record<string, { examples: object }> }>;
  const callbackBadRequest = (loadSpec('gateway') as { components: { responses: Responses } }).components.responses.CallbackBadRequest!;

  it.each([
    ['application/problem+json', acceptJson],
    ['text/html', acceptHtml],
  ])('answers state given twice with 400 invalid_request, a code the spec names a %s example for', async (mediaType, accept) => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connect/zoom/callback?state=a&state=b', headers: accept });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('invalid_request');
    expect(response.headers['content-type']).toContain(mediaType);
    expect(Object.keys(callbackBadRequest.content[mediaType]!.examples)).toContain('invalid_request');
    await expectUntouched(gateway);
  });
});
