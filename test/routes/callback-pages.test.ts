// What the browser gets back from the callback: the popup's page and its message, the small result page,
// problem+json for a JSON client, and the rules every answer keeps (no caching, no Referer, strict CSP, no
// secret anywhere, the binding cookie cleared).
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway, type TestGateway } from '../support/gateway.js';
import { callback, launch, type Launched } from '../support/flow.js';

const zoomCode = 'zoom-code-k2Pq9XvT';
const acceptJson = { accept: 'application/json' };

const bindingOf = (launched: Launched) => ({ [launched.cookie.name]: launched.cookie.value });
const callbackWith = (gateway: TestGateway, launched: Launched, query: Record<string, string>, headers: Record<string, string> = {}) =>
  callback(gateway, { state: launched.state, ...query }, bindingOf(launched), headers);

/** The message the popup page posts to its opener, and the target origin it posts it to. */
function postedMessage(page: string): { message: unknown; targetOrigin: unknown } {
  const match = /window\.opener\.postMessage\((\{.*?\}),\s*([^)]*)\)/.exec(page);
  expect(match, 'the page posts a message to window.opener').not.toBeNull();
  return { message: JSON.parse(match![1]!), targetOrigin: JSON.parse(match![2]!) };
}

function expectStrictPage(response: LightMyRequestResponse) {
  expect(response.headers['content-type']).toContain('text/html');
  const csp = String(response.headers['content-security-policy']);
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
  expect(directives['default-src']).toEqual(["'none'"]);
  expect(directives['frame-ancestors']).toEqual(["'none'"]);
  const nonces = [...response.body.matchAll(/<script nonce="([^"]+)"/g)].map((m) => m[1]);
  for (const nonce of nonces) expect(directives['script-src']).toEqual([`'nonce-${nonce}'`]);
  // no source other than 'none' and the nonce: nothing third-party, nothing inline without the nonce
  expect(csp).not.toMatch(/https?:|\*|unsafe-|data:/);
  expect(response.body).not.toMatch(/\s(src|href)=/);
}

function expectFlowHeaders(response: LightMyRequestResponse) {
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
}

describe('the pages and answers of the callback', () => {
  const gateway = useGateway();

  describe('popup mode', () => {
    it("posts {type, ok, connection_id, error} to return_to's exact origin, then closes", async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway, { mode: 'popup' });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      expect(response.statusCode).toBe(200);
      expectStrictPage(response);
      const connection = await gateway.store.getConnectionByEndUser('user_42');
      expect(postedMessage(response.body)).toEqual({
        message: { type: 'zoom-connect:result', ok: true, connection_id: connection!.id, error: null },
        targetOrigin: appOrigin,
      });
      expect(response.body).toContain('window.close()');
    });

    it('never posts to the wildcard origin', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway, { mode: 'popup' });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      const calls = [...response.body.matchAll(/postMessage\(/g)];
      expect(calls).toHaveLength(1);
      const targetOrigin = /postMessage\(\{.*?\},\s*([^)]*)\)/.exec(response.body)![1]!.trim();
      expect(targetOrigin).toBe(JSON.stringify(appOrigin));
      expect(targetOrigin).not.toContain('*');
    });

    it('posts the error code with ok false when Zoom access was declined', async () => {
      const launched = await launch(gateway, { mode: 'popup' });
      const response = await callbackWith(gateway, launched, { error: 'access_denied' });
      expect(response.statusCode).toBe(400);
      expectStrictPage(response);
      expect(postedMessage(response.body)).toEqual({
        message: { type: 'zoom-connect:result', ok: false, connection_id: null, error: 'access_denied' },
        targetOrigin: appOrigin,
      });
    });

    it("posts a Recall failure with the problem's status", async () => {
      gateway.recall.prefer('create', 'code=401');
      const launched = await launch(gateway, { mode: 'popup' });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      expect(response.statusCode).toBe(502);
      expect(postedMessage(response.body).message).toMatchObject({ ok: false, error: 'recall_unauthorized' });
    });

    it('posts to the origin of return_to only, never its path or query', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway, { mode: 'popup', return_to: 'https://other.example.com/popup/done?x=1' });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      expect(postedMessage(response.body).targetOrigin).toBe('https://other.example.com');
    });

    it('without an opener (a blocked popup that ran as a full page) goes to return_to with the result', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway, { mode: 'popup' });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      const connection = await gateway.store.getConnectionByEndUser('user_42');
      const target = /window\.location\.replace\(("[^"]*")\)/.exec(response.body)?.[1];
      expect(target && JSON.parse(target)).toBe(`${appOrigin}/settings?zoom_connect=connected&connection_id=${connection!.id}`);
    });

    it('answers state_reused in the popup with a page posting the error', async () => {
      const launched = await launch(gateway, { mode: 'popup' });
      await callbackWith(gateway, launched, { error: 'access_denied' });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      expect(response.statusCode).toBe(400);
      expect(postedMessage(response.body).message).toMatchObject({ ok: false, error: 'state_reused' });
    });
  });

  describe('no return_to', () => {
    it('answers a small result page saying Zoom is connected, with no script', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway, { return_to: undefined });
      const response = await callbackWith(gateway, launched, { code: zoomCode });
      expect(response.statusCode).toBe(200);
      expectStrictPage(response);
      expect(response.body).toContain('Zoom is connected');
      expect(response.body).not.toContain('<script');
    });

    it('answers a failure as problem+json when Accept asks for JSON', async () => {
      const launched = await launch(gateway, { return_to: undefined });
      const response = await callbackWith(gateway, launched, { error: 'access_denied' }, acceptJson);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 400, code: 'access_denied', type: 'urn:zoom-connect-gateway:problem:access_denied' });
    });

    it('answers a failure with a page naming the error code to a browser', async () => {
      const launched = await launch(gateway, { return_to: undefined });
      const response = await callbackWith(gateway, launched, { error: 'access_denied' }, { accept: 'text/html' });
      expect(response.statusCode).toBe(400);
      expectStrictPage(response);
      expect(response.body).toContain('<code>access_denied</code>');
    });

    it("never echoes Zoom's error_description into the page", async () => {
      const launched = await launch(gateway, { return_to: undefined });
      const response = await callbackWith(gateway, launched, { error: 'server_error', error_description: '<img src=x onerror=alert(1)>' });
      expect(response.body).not.toContain('onerror');
      expect(response.body).toContain('zoom_error');
    });
  });

  it("logs Zoom's error and error_description for the operator, and the page shows neither description", async () => {
    const launched = await launch(gateway);
    const response = await callbackWith(gateway, launched, { error: 'invalid_scope', error_description: 'Scope meeting:read is not allowed' });
    expect(String(response.headers.location)).not.toContain('Scope');
    const entries = gateway.logs
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    const line = entries.find((entry) => entry.zoomError === 'invalid_scope');
    expect(line).toMatchObject({ zoomErrorDescription: 'Scope meeting:read is not allowed' });
  });

  describe('rules every answer keeps', () => {
    interface Answer {
      response: LightMyRequestResponse;
      launched: Launched;
    }
    const scenarios: Array<[string, (gateway: TestGateway) => Promise<Answer>]> = [
      [
        'a 303 to return_to after connecting',
        async (g) => {
          g.recall.prefer('create', 'code=201, example=created');
          const launched = await launch(g);
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'a 303 to return_to after Zoom declined',
        async (g) => {
          const launched = await launch(g);
          return { launched, response: await callbackWith(g, launched, { error: 'access_denied', code: zoomCode }) };
        },
      ],
      [
        'a 303 to return_to after Recall refused the code',
        async (g) => {
          g.recall.prefer('create', 'code=400, example=invalid_grant');
          const launched = await launch(g);
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'a 303 for a cookie that does not match',
        async (g) => {
          const launched = await launch(g);
          return { launched, response: await callback(g, { code: zoomCode, state: launched.state }, { [launched.cookie.name]: 'forged' }) };
        },
      ],
      [
        'a 303 for a replayed state',
        async (g) => {
          g.recall.prefer('create', 'code=201, example=created');
          const launched = await launch(g);
          await callbackWith(g, launched, { code: zoomCode });
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'a 303 for an expired flow',
        async (g) => {
          const launched = await launch(g);
          g.clock.advance(g.config.flowTtlS + 5);
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'the popup page after connecting',
        async (g) => {
          g.recall.prefer('create', 'code=201, example=created');
          const launched = await launch(g, { mode: 'popup' });
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'the popup page after a Recall failure',
        async (g) => {
          g.recall.prefer('create', 'code=403, example=forbidden_localhost');
          const launched = await launch(g, { mode: 'popup' });
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'the result page without return_to',
        async (g) => {
          g.recall.prefer('create', 'code=201, example=created');
          const launched = await launch(g, { return_to: undefined });
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
      [
        'problem+json without return_to',
        async (g) => {
          g.recall.prefer('create', ...Array(4).fill('code=503'));
          const launched = await launch(g, { return_to: undefined });
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }, acceptJson) };
        },
      ],
      [
        'the 302 that sends the browser through Zoom again',
        async (g) => {
          g.recall.prefer('create', 'code=400, example=conflict_user', 'code=400, example=invalid_grant');
          g.recall.prefer('list', 'code=200, example=conflicting_user_page');
          const launched = await launch(g);
          return { launched, response: await callbackWith(g, launched, { code: zoomCode }) };
        },
      ],
    ];

    it.each(scenarios)('sends Cache-Control: no-store and Referrer-Policy: no-referrer with %s', async (_, scenario) => {
      const { response } = await scenario(gateway);
      expectFlowHeaders(response);
    });

    it.each(scenarios)('clears the binding cookie (Max-Age=0) with %s', async (_, scenario) => {
      const { response, launched } = await scenario(gateway);
      expect(response.cookies.find((cookie) => cookie.name === launched.cookie.name)).toMatchObject({
        value: '',
        maxAge: 0,
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      });
    });

    it.each(scenarios)('puts no code, state, verifier or session token in the Location, body, headers or logs of %s', async (_, scenario) => {
      const { response, launched } = await scenario(gateway);
      const verifiers = gateway.recall.calls
        .map((call) => (call.body as { authorization_code?: { code_verifier?: string } } | undefined)?.authorization_code?.code_verifier)
        .filter((verifier): verifier is string => typeof verifier === 'string');
      const answer = JSON.stringify({ headers: response.headers, body: response.body });
      const logs = gateway.logs.join('\n');
      for (const secret of [zoomCode, launched.state, launched.token, launched.cookie.value, ...verifiers]) {
        expect(answer).not.toContain(secret);
        expect(logs).not.toContain(secret);
      }
    });

    it.each(scenarios.filter(([name]) => /page/.test(name)))('serves %s with a strict CSP: nothing but its own nonce', async (_, scenario) => {
      const { response } = await scenario(gateway);
      expectStrictPage(response);
    });

    it('sends the same headers with a page for an unknown state, where no cookie is known to clear', async () => {
      const response = await callback(gateway, { code: zoomCode, state: 'unknown-state' });
      expectFlowHeaders(response);
      expectStrictPage(response);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body).not.toContain('unknown-state');
      expect(response.body).not.toContain(zoomCode);
    });

    it('sends the same headers with problem+json for a missing state', async () => {
      const response = await callback(gateway, { code: zoomCode }, {}, acceptJson);
      expectFlowHeaders(response);
      expect(response.body).not.toContain(zoomCode);
    });
  });
});
