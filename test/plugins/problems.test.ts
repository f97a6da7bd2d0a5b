import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { postLaunch } from '../support/flow.js';
import { testApiKey, useGateway } from '../support/gateway.js';
import { loadSpec } from '../support/spec.js';

const auth = { authorization: `Bearer ${testApiKey}` };
const spec = loadSpec('gateway') as { components: { schemas: { ProblemCode: { enum: string[] } } } };
const problemCodes = spec.components.schemas.ProblemCode.enum;

describe('the problem handler', () => {
  const gateway = useGateway();

  it('answers an unknown route with 404 not_found as problem+json', async () => {
    // Not an operation of gateway.yaml, so not checked against it: inject directly.
    const response = await gateway.app.inject({ method: 'GET', url: '/v1/nothing-here?launch=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'not_found', status: 404, type: 'urn:zoom-connect-gateway:problem:not_found' });
    expect(response.body).not.toContain('secret');
  });

  it('answers a method a path does not have with 404 not_found', async () => {
    const response = await gateway.app.inject({ method: 'PUT', url: '/v1/connections', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
  });

  it('answers a URL with broken percent-encoding with 400 invalid_request as problem+json', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/v1/connections/%E0%A4%A', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('invalid_request');
  });

  it('answers a path segment longer than the router allows with 400 invalid_request as problem+json', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: `/v1/connections/${'a'.repeat(300)}`, headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('invalid_request');
  });

  it('answers a malformed JSON body with 400 invalid_request', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"end_user_id": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('invalid_request');
  });

  it('answers a body of another content type with 400 invalid_request', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'end_user_id=user_42',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('invalid_request');
  });

  it.each([
    ['text/plain', 'end_user_id=user_42'],
    ['application/x-www-form-urlencoded', 'end_user_id=user_42'],
    [undefined, '{"end_user_id":"user_42"}'],
  ])('says which content type to send when a body comes as %s', async (contentType, payload) => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { ...auth, ...(contentType ? { 'content-type': contentType } : {}) },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'invalid_request',
      detail: 'Send the request body as application/json, with Content-Type: application/json.',
    });
  });

  it('says which content type to send to the launch, an HTML form', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect/zoom?launch=abc',
      headers: { 'content-type': 'application/json', origin: 'https://app.example.com', accept: 'application/json' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toBe(
      'Send the request body as application/x-www-form-urlencoded, with Content-Type: application/x-www-form-urlencoded.',
    );
  });

  it('says an operation without a body takes none', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: `/v1/connections/${randomUUID()}/refresh`,
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<refresh/>',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toBe('This operation takes no request body: send none.');
  });

  it('says "is required" of a required field that is missing', async () => {
    const response = await gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: auth, payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'invalid_request',
      detail: 'The request is invalid: body.end_user_id is required',
      errors: [{ path: 'body.end_user_id', message: 'is required' }],
    });
  });

  it('answers a body that breaks the schema with 400 invalid_request naming the field', async () => {
    const response = await gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: auth, payload: { end_user_id: '' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'body.end_user_id' })] });
  });

  it('answers an unexpected exception with 500 internal_error that leaks no message or stack', async () => {
    vi.spyOn(gateway.store, 'getConnection').mockRejectedValue(new Error('SQLITE_CORRUPT in /var/lib/gateway/secret.db'));
    const response = await gateway.request({ method: 'GET', url: `/v1/connections/${randomUUID()}`, headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(body.code).toBe('internal_error');
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
    expect(response.body).not.toMatch(/SQLITE_CORRUPT|secret\.db|at .*\.ts|stack/);
  });

  it('logs the unexpected exception for the operator', async () => {
    vi.spyOn(gateway.store, 'getConnection').mockRejectedValue(new Error('SQLITE_CORRUPT in the store'));
    await gateway.request({ method: 'GET', url: `/v1/connections/${randomUUID()}`, headers: auth });
    const errors = gateway.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 50);
    expect(errors).toEqual([expect.objectContaining({ err: expect.objectContaining({ message: 'SQLITE_CORRUPT in the store' }) })]);
  });

  it('answers every error as application/problem+json with a code of the spec and a matching status', async () => {
    vi.spyOn(gateway.store, 'getConnectionByEndUser').mockRejectedValue(new Error('boom'));
    const session = (await gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: auth, payload: { end_user_id: 'u' } })).json() as {
      token: string;
    };
    const errors = [
      await gateway.app.inject({ method: 'GET', url: '/nope' }),
      await gateway.app.inject({ method: 'DELETE', url: '/healthz' }),
      await gateway.request({ method: 'GET', url: '/v1/connections' }),
      await gateway.request({ method: 'GET', url: '/v1/connections?limit=0', headers: auth }),
      await gateway.request({ method: 'GET', url: `/v1/connections/${randomUUID()}`, headers: auth }),
      await gateway.request({ method: 'GET', url: '/v1/connections/x', headers: auth }),
      await gateway.request({
        method: 'POST',
        url: '/v1/connect-sessions',
        headers: auth,
        payload: { end_user_id: 'u', return_to: 'https://evil.example.com/' },
      }),
      await gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: { ...auth, 'content-type': 'application/json' }, payload: '[' }),
      await gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: auth, payload: { end_user_id: 'x'.repeat(2_000_000) } }),
      await gateway.request({ method: 'GET', url: '/v1/me/connection', headers: { authorization: `Bearer ${session.token}` } }),
      await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom', { headers: { accept: 'application/json' } }),
      await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom?launch=unknown', { headers: { accept: 'application/json' } }),
    ];
    for (const response of errors) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.headers['content-type'], response.body).toMatch(/^application\/problem\+json/);
      const body = response.json();
      expect(problemCodes).toContain(body.code);
      expect(body.status).toBe(response.statusCode);
      expect(body.type).toBe(`urn:zoom-connect-gateway:problem:${body.code}`);
    }
    expect(errors.map((r) => r.json().code)).toEqual([
      'not_found',
      'not_found',
      'unauthorized',
      'invalid_request',
      'not_found',
      'invalid_request',
      'return_to_not_allowed',
      'invalid_request',
      // 2 MB: over the body limit (http-server.ts), refused before it is read.
      'body_too_large',
      'internal_error',
      'invalid_request',
      'session_invalid',
    ]);
  });

  it("answers a launch without a launch code with 400 invalid_request naming query.launch, and the flow pages' headers", async () => {
    const response = await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom', { headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'query.launch' })] });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('answers a browser whose launch has no launch code with a page naming invalid_request', async () => {
    const response = await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom', { headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('invalid_request');
  });

  it('answers a callback with two states as a flow page with invalid_request', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connect/zoom/callback?state=a&state=b', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('invalid_request');
  });
});
