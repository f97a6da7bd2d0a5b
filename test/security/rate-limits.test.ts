// The routes that create state (connect sessions) or that anyone on the internet can reach (launch, callback) are
// rate limited per client address: past the limit they answer 429 with the problem code rate_limited and
// Retry-After, before any work is done (no session row, no flow consumed, no Recall call). The limits here are 3 a
// minute; the defaults are 600 (sessions) and 120 (launch, callback). Failed authentications are limited per
// client over every API-key and session-token route together (default 20 a minute).
import type { InjectOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretLookupKey } from '../../src/connect/secrets.js';
import { postLaunch } from '../support/flow.js';
import { testApiKey, useGateway, type TestGateway } from '../support/gateway.js';

const LIMIT = 3;
const json = { accept: 'application/json' };

describe('rate limits', () => {
  const g = useGateway({}, { rateLimits: { sessionsPerMinute: LIMIT, browserPerMinute: LIMIT } });

  const createSession = (authorization = `Bearer ${testApiKey}`) =>
    g.request({ method: 'POST', url: '/v1/connect-sessions', headers: { authorization, ...json }, payload: { end_user_id: 'user_42' } });

  const limited: [string, () => InjectOptions & { url: string }, number][] = [
    [
      'POST /v1/connect-sessions',
      () => ({
        method: 'POST',
        url: '/v1/connect-sessions',
        headers: { authorization: `Bearer ${testApiKey}` },
        payload: { end_user_id: 'user_42' },
      }),
      201,
    ],
    [
      'POST /v1/connect-sessions with a wrong API key (guessing keys)',
      () => ({ method: 'POST', url: '/v1/connect-sessions', headers: { authorization: 'Bearer guessed-key-000000001' }, payload: {} }),
      401,
    ],
    [
      'POST /v1/connect/zoom (launch)',
      () => ({
        method: 'POST',
        url: '/v1/connect/zoom?launch=unknown-launch-code',
        headers: { ...json, origin: 'https://app.example.com', 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      }),
      400,
    ],
    [
      'GET /v1/connect/zoom (a refused navigation)',
      () => ({ method: 'GET', url: '/v1/connect/zoom?launch=unknown-launch-code', headers: json }),
      403,
    ],
    ['GET /v1/connect/zoom/callback', () => ({ method: 'GET', url: '/v1/connect/zoom/callback?state=unknown&code=c', headers: json }), 400],
  ];

  it.each(limited)('answers %s past the limit with 429 rate_limited, problem+json and Retry-After', async (_name, request, usual) => {
    for (let n = 0; n < LIMIT; n++) expect((await g.request(request())).statusCode).toBe(usual);
    for (let n = 0; n < 3; n++) {
      const response = await g.request(request());
      expect(response.statusCode).toBe(429);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 429, code: 'rate_limited', type: 'urn:zoom-connect-gateway:problem:rate_limited' });
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    expect(g.recall.calls).toEqual([]);
  });

  it('answers a rate-limited browser on the flow routes with a page naming rate_limited, with the flow headers', async () => {
    const launch = () => postLaunch(g, 'https://gateway.example.com/v1/connect/zoom?launch=x', { headers: { accept: 'text/html' } });
    for (let n = 0; n < LIMIT; n++) await launch();
    const response = await launch();
    expect(response.statusCode).toBe(429);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('rate_limited');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['retry-after']).toBeDefined();
  });

  it('does the work of no request it refuses: a limited callback does not consume the flow', async () => {
    const session = (await createSession()).json() as { connect_url: string };
    const launched = await postLaunch(g, session.connect_url);
    const state = new URL(String(launched.headers.location)).searchParams.get('state')!;
    const cookie = launched.cookies[0]!;
    const callback = () =>
      g.request({ method: 'GET', url: `/v1/connect/zoom/callback?code=c&state=${state}`, cookies: { [cookie.name]: cookie.value }, headers: json });
    for (let n = 0; n < LIMIT; n++) await g.request({ method: 'GET', url: '/v1/connect/zoom/callback?state=other', headers: json });
    expect((await callback()).statusCode).toBe(429);
    expect(g.recall.calls).toEqual([]);
    // The flow is intact: the refused callback did not spend its state (the first consumer still gets it).
    expect((await g.store.consumeFlow(secretLookupKey(state), new Date().toISOString())).outcome).toBe('consumed');
  });

  it('counts an IPv6 client by its /64 here too, so a host cannot take a fresh address for each request', async () => {
    const callbackFrom = (remoteAddress: string) =>
      g.request({ method: 'GET', url: '/v1/connect/zoom/callback?state=unknown&code=c', remoteAddress, headers: json });
    for (let n = 0; n < LIMIT; n++) expect((await callbackFrom(`2001:db8:5:6::${n + 1}`)).statusCode).toBe(400);
    expect((await callbackFrom('2001:db8:5:6:abcd::1')).statusCode).toBe(429);
    expect((await callbackFrom('2001:db8:5:7::1')).statusCode).toBe(400);
  });

  it('counts each route on its own, so a flood of launches does not lock the app out of creating sessions', async () => {
    for (let n = 0; n < LIMIT + 2; n++) await postLaunch(g, 'https://gateway.example.com/v1/connect/zoom?launch=x', { headers: json });
    expect((await createSession()).statusCode).toBe(201);
  });
});

describe('failed authentication', () => {
  const FAILURES = 4;
  const g = useGateway({}, { rateLimits: { failedAuthPerMinute: FAILURES } });
  const connectionId = randomUUID();

  const apiKeyRoutes: [string, InjectOptions & { url: string }][] = [
    ['POST /v1/connect-sessions', { method: 'POST', url: '/v1/connect-sessions', payload: { end_user_id: 'user_42' } }],
    ['GET /v1/connections', { method: 'GET', url: '/v1/connections' }],
    ['GET /v1/connections/{id}', { method: 'GET', url: `/v1/connections/${connectionId}` }],
    ['DELETE /v1/connections/{id}', { method: 'DELETE', url: `/v1/connections/${connectionId}` }],
    ['POST /v1/connections/{id}/refresh', { method: 'POST', url: `/v1/connections/${connectionId}/refresh` }],
  ];
  const sessionRoutes: [string, InjectOptions & { url: string }][] = [
    ['GET /v1/me/connection', { method: 'GET', url: '/v1/me/connection' }],
    ['DELETE /v1/me/connection', { method: 'DELETE', url: '/v1/me/connection' }],
  ];
  const every = [...apiKeyRoutes, ...sessionRoutes];

  const send = (gateway: TestGateway, request: InjectOptions & { url: string }, authorization?: string) =>
    gateway.request({ ...request, headers: { ...json, ...(authorization ? { authorization } : {}) } });

  async function newSessionToken(): Promise<string> {
    const created = await send(g, apiKeyRoutes[0]![1], `Bearer ${testApiKey}`);
    return (created.json() as { token: string }).token;
  }

  function expectLimited(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
    expect(response.statusCode).toBe(429);
    expect(response.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
  }

  it.each(every)('limits wrong bearers on %s: 401 up to the limit, then 429 with Retry-After', async (_name, request) => {
    for (let n = 0; n < FAILURES; n++) expect((await send(g, request, `Bearer wrong-bearer-${n}-000000000`)).statusCode).toBe(401);
    expectLimited(await send(g, request, 'Bearer wrong-bearer-again-0000000'));
  });

  it.each(every)('counts a missing Authorization header as a failure on %s', async (_name, request) => {
    for (let n = 0; n < FAILURES; n++) expect((await send(g, request)).statusCode).toBe(401);
    expectLimited(await send(g, request));
  });

  it('counts failures over all authenticated routes together, API keys and session tokens alike', async () => {
    for (const [, request] of every.slice(0, FAILURES)) expect((await send(g, request, 'Bearer guessed-000000000000000')).statusCode).toBe(401);
    for (const [, request] of every) expectLimited(await send(g, request, 'Bearer guessed-000000000000000'));
  });

  it('never locks a right key or token out: a shared address (a NAT, a proxy) cannot shut the backend out', async () => {
    const token = await newSessionToken();
    for (let n = 0; n < FAILURES * 3; n++) await send(g, apiKeyRoutes[1]![1], 'Bearer guessed-000000000000000');
    expectLimited(await send(g, apiKeyRoutes[1]![1], 'Bearer guessed-000000000000000'));
    expect((await send(g, apiKeyRoutes[1]![1], `Bearer ${testApiKey}`)).statusCode).toBe(200);
    expect((await send(g, sessionRoutes[0]![1], `Bearer ${token}`)).statusCode).toBe(404);
    expectLimited(await send(g, sessionRoutes[0]![1], 'Bearer guessed-000000000000000'));
  });

  it('lets the client in again once the minute is over', async () => {
    for (let n = 0; n < FAILURES; n++) await send(g, apiKeyRoutes[1]![1], 'Bearer guessed-000000000000000');
    expectLimited(await send(g, apiKeyRoutes[1]![1], 'Bearer guessed-000000000000000'));
    g.clock.advance(59);
    expectLimited(await send(g, apiKeyRoutes[1]![1], 'Bearer guessed-000000000000000'));
    g.clock.advance(1);
    expect((await send(g, apiKeyRoutes[1]![1], 'Bearer guessed-000000000000000')).statusCode).toBe(401);
  });

  it('never counts a successful authentication', async () => {
    const token = await newSessionToken();
    for (let n = 0; n < FAILURES * 3; n++) {
      expect((await send(g, apiKeyRoutes[1]![1], `Bearer ${testApiKey}`)).statusCode).toBe(200);
      expect((await send(g, sessionRoutes[0]![1], `Bearer ${token}`)).statusCode).toBe(404);
    }
  });

  it('counts each client address on its own', async () => {
    const from = (remoteAddress: string, authorization: string) =>
      g.request({ method: 'GET', url: '/v1/connections', remoteAddress, headers: { ...json, authorization } });
    for (let n = 0; n < FAILURES; n++) await from('203.0.113.7', 'Bearer guessed-000000000000000');
    expectLimited(await from('203.0.113.7', 'Bearer guessed-000000000000000'));
    expect((await from('203.0.113.8', 'Bearer guessed-000000000000000')).statusCode).toBe(401);
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as its IPv4 one', async () => {
    const from = (remoteAddress: string) =>
      g.request({ method: 'GET', url: '/v1/connections', remoteAddress, headers: { ...json, authorization: 'Bearer guessed-000000000000000' } });
    for (let n = 0; n < FAILURES; n++) await from(`2001:db8:1:2::${n + 1}`);
    expectLimited(await from('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect((await from('2001:db8:1:3::1')).statusCode).toBe(401);
    for (let n = 0; n < FAILURES; n++) await from('198.51.100.9');
    expectLimited(await from('::ffff:198.51.100.9'));
  });
});
