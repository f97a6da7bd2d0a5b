// The routes that create state (connect sessions) or that anyone on the internet can reach (launch, callback) are
// rate limited per client address: past the limit they answer 429 with the problem code rate_limited and
// Retry-After, before any work is done (no session row, no flow consumed, no Recall call). The limits here are 3 a
// minute; the defaults are 600 (sessions) and 120 (launch, callback).
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/connect/secrets.js';
import { testApiKey, useGateway } from '../support/gateway.js';

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
    ['GET /v1/connect/zoom (launch)', () => ({ method: 'GET', url: '/v1/connect/zoom?launch=unknown-launch-code', headers: json }), 400],
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
    const launch = () => g.request({ method: 'GET', url: '/v1/connect/zoom?launch=x', headers: { accept: 'text/html' } });
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
    const url = new URL(session.connect_url);
    const launched = await g.request({ method: 'GET', url: `${url.pathname}${url.search}` });
    const state = new URL(String(launched.headers.location)).searchParams.get('state')!;
    const cookie = launched.cookies[0]!;
    const callback = () =>
      g.request({ method: 'GET', url: `/v1/connect/zoom/callback?code=c&state=${state}`, cookies: { [cookie.name]: cookie.value }, headers: json });
    for (let n = 0; n < LIMIT; n++) await g.request({ method: 'GET', url: '/v1/connect/zoom/callback?state=other', headers: json });
    expect((await callback()).statusCode).toBe(429);
    expect(g.recall.calls).toEqual([]);
    // The flow is intact: the refused callback did not spend its state (the first consumer still gets it).
    expect((await g.store.consumeFlow(hashSecret(state), new Date().toISOString())).outcome).toBe('consumed');
  });

  it('counts each route on its own, so a flood of launches does not lock the app out of creating sessions', async () => {
    for (let n = 0; n < LIMIT + 2; n++) await g.request({ method: 'GET', url: '/v1/connect/zoom?launch=x', headers: json });
    expect((await createSession()).statusCode).toBe(201);
  });
});
