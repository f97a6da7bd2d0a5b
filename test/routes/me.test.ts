import { describe, expect, it } from 'vitest';
import { callbackFor, createSession, launch } from '../support/flow.js';
import { appOrigin, testApiKey, useGateway, type TestGateway } from '../support/gateway.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Runs a whole flow for user_42; returns the session token and the new connection's id. */
async function connect(gateway: TestGateway): Promise<{ token: string; connectionId: string }> {
  gateway.recall.prefer('create', 'code=201, example=created');
  const launched = await launch(gateway);
  const response = await callbackFor(gateway, launched);
  expect(response.statusCode, response.body).toBe(303);
  const connectionId = new URL(String(response.headers.location)).searchParams.get('connection_id')!;
  return { token: launched.token, connectionId };
}

const getMine = (gateway: TestGateway, token: string, headers: Record<string, string> = {}) =>
  gateway.request({ method: 'GET', url: '/v1/me/connection', headers: { ...bearer(token), ...headers } });

describe('/v1/me/connection with the connect session token', () => {
  const gateway = useGateway();

  it('answers the end user their connection once the flow connected', async () => {
    const { token, connectionId } = await connect(gateway);
    const response = await getMine(gateway, token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: connectionId, end_user_id: 'user_42', status: 'connected' });
  });

  it('answers 404 not_connected before the end user connected', async () => {
    const { token } = await createSession(gateway);
    const response = await getMine(gateway, token);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_connected');
  });

  it('answers only the session end user their own connection', async () => {
    await connect(gateway);
    const { token } = await createSession(gateway, { end_user_id: 'user_57' });
    const response = await getMine(gateway, token);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_connected');
  });

  it('keeps the token valid after the launch used the launch code', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const response = await getMine(gateway, launched.token);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_connected');
  });

  it('disconnects with DELETE (204, credential deleted at Recall), then answers 404 not_connected', async () => {
    const { token, connectionId } = await connect(gateway);
    const deleted = await gateway.request({ method: 'DELETE', url: '/v1/me/connection', headers: bearer(token) });
    expect(deleted.statusCode).toBe(204);
    expect(gateway.recall.calls.map((c) => c.operation)).toEqual(['create', 'delete']);
    expect(await gateway.store.getConnection(connectionId)).toBeUndefined();
    const after = await getMine(gateway, token);
    expect(after.statusCode).toBe(404);
    expect(after.json().code).toBe('not_connected');
  });

  it('answers DELETE with 404 not_connected when there is nothing to disconnect', async () => {
    const { token } = await createSession(gateway);
    const response = await gateway.request({ method: 'DELETE', url: '/v1/me/connection', headers: bearer(token) });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_connected');
  });

  it('answers DELETE with 503 recall_unavailable and keeps the connection when Recall is down', async () => {
    const { token, connectionId } = await connect(gateway);
    gateway.recall.prefer('delete', ...Array(10).fill('code=503'));
    const response = await gateway.request({ method: 'DELETE', url: '/v1/me/connection', headers: bearer(token) });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('recall_unavailable');
    expect(await gateway.store.getConnection(connectionId)).toBeDefined();
  });

  it('refuses a gateway API key with 401 unauthorized', async () => {
    await connect(gateway);
    const response = await getMine(gateway, testApiKey);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('refuses the session token on /v1/connections with 401 unauthorized', async () => {
    const { token } = await connect(gateway);
    const response = await gateway.request({ method: 'GET', url: '/v1/connections', headers: bearer(token) });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('refuses the session token on POST /v1/connect-sessions with 401 unauthorized', async () => {
    const { token } = await createSession(gateway);
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: bearer(token),
      payload: { end_user_id: 'user_43' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('refuses a request without a bearer with 401 unauthorized', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/me/connection' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('refuses an expired session token with 401 unauthorized', async () => {
    const { token } = await connect(gateway);
    gateway.clock.advance(gateway.config.connectSessionTtlS + 1);
    const response = await getMine(gateway, token);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('still accepts the session token one second before it expires', async () => {
    const { token } = await connect(gateway);
    gateway.clock.advance(gateway.config.connectSessionTtlS - 1);
    expect((await getMine(gateway, token)).statusCode).toBe(200);
  });
});

describe('/v1/me/session: the session, with the connection or null', () => {
  const gateway = useGateway();
  const getSession = (token: string, headers: Record<string, string> = {}) =>
    gateway.request({ method: 'GET', url: '/v1/me/session', headers: { ...bearer(token), ...headers } });

  it('answers 200 with connection null before the end user connected (no 404 for a browser to log)', async () => {
    const session = await createSession(gateway);
    const response = await getSession(session.token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ end_user_id: 'user_42', expires_at: session.expires_at, connection: null });
  });

  it('answers the connection once the flow connected, as GET /v1/me/connection does', async () => {
    const { token, connectionId } = await connect(gateway);
    const response = await getSession(token);
    expect(response.statusCode).toBe(200);
    expect(response.json().connection).toEqual((await getMine(gateway, token)).json());
    expect(response.json().connection).toMatchObject({ id: connectionId, status: 'connected' });
  });

  it('refuses a request without a session token with 401 unauthorized', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/me/session', headers: bearer(testApiKey) });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('answers an allowed origin with CORS, and its preflight', async () => {
    const { token } = await createSession(gateway);
    expect((await getSession(token, { origin: appOrigin })).headers['access-control-allow-origin']).toBe(appOrigin);
    const preflight = await gateway.app.inject({
      method: 'OPTIONS',
      url: '/v1/me/session',
      headers: { origin: appOrigin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(appOrigin);
  });
});

describe('CORS on /v1/me/*', () => {
  const gateway = useGateway();

  it('answers an allowed origin with Access-Control-Allow-Origin and no credentials', async () => {
    const { token } = await connect(gateway);
    const response = await getMine(gateway, token, { origin: appOrigin });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(appOrigin);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(response.headers.vary)).toMatch(/origin/i);
  });

  it('answers an error to an allowed origin with CORS headers too, so the frontend can read it', async () => {
    const { token } = await createSession(gateway);
    const response = await getMine(gateway, token, { origin: appOrigin });
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBe(appOrigin);
  });

  it('answers another origin without Access-Control-Allow-Origin', async () => {
    const { token } = await connect(gateway);
    const response = await getMine(gateway, token, { origin: 'https://evil.example.com' });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows Authorization and GET/DELETE in a preflight from an allowed origin, without credentials', async () => {
    // The preflight route is CORS machinery, not an operation of gateway.yaml: inject it directly.
    const response = await gateway.app.inject({
      method: 'OPTIONS',
      url: '/v1/me/connection',
      headers: { origin: appOrigin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(appOrigin);
    expect(
      String(response.headers['access-control-allow-headers'])
        .toLowerCase()
        .split(/\s*,\s*/),
    ).toContain('authorization');
    expect(
      String(response.headers['access-control-allow-methods'])
        .split(/\s*,\s*/)
        .sort(),
    ).toEqual(['DELETE', 'GET']);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives a preflight from another origin no Access-Control-Allow-Origin', async () => {
    const response = await gateway.app.inject({
      method: 'OPTIONS',
      url: '/v1/me/connection',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers /v1/connections no CORS headers, even to an allowed origin', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connections', headers: { ...bearer(testApiKey), origin: appOrigin } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers /v1/connect-sessions no CORS headers, even to an allowed origin', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { ...bearer(testApiKey), origin: appOrigin },
      payload: { end_user_id: 'user_42' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['/v1/connections', '/v1/connect-sessions'])('has no preflight route for %s', async (url) => {
    const response = await gateway.app.inject({
      method: 'OPTIONS',
      url,
      headers: { origin: appOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
