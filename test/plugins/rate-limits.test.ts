import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { baseEnv, testApiKey, recallClientFor } from '../support/gateway.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { specProblems } from '../support/spec-responses.js';

// useGateway builds the app with the default (high) limits; this file builds its own with low ones.
describe('rate limits', () => {
  const recall = useRecallScenario();
  let app: FastifyInstance;
  let store: Store;

  beforeEach(async () => {
    const config = loadConfig(baseEnv(recall.url));
    store = await openStore('sqlite::memory:');
    const recallClient = recallClientFor(config, {
      fetch: recall.fetch,
    });
    app = await buildApp({
      deps: { config, store, recall: recallClient, appKind: 'user_level', now: () => new Date() },
      rateLimits: { sessionsPerMinute: 2, browserPerMinute: 2 },
      logStream: { write: () => true },
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const request = async (options: InjectOptions & { url: string }) => {
    const response = await app.inject(options);
    expect(specProblems(String(options.method), options.url.split('?')[0]!, response), response.body).toEqual([]);
    return response;
  };
  const createSession = () =>
    request({ method: 'POST', url: '/v1/connect-sessions', headers: { authorization: `Bearer ${testApiKey}` }, payload: { end_user_id: 'user_42' } });

  function expectRateLimited(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }

  it('answers the third POST /v1/connect-sessions in a minute with 429 rate_limited and Retry-After', async () => {
    expect((await createSession()).statusCode).toBe(201);
    expect((await createSession()).statusCode).toBe(201);
    const limited = await createSession();
    expectRateLimited(limited);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json().code).toBe('rate_limited');
  });

  it('answers the third launch in a minute with 429 rate_limited and Retry-After', async () => {
    const launch = (accept: string) =>
      request({
        method: 'POST',
        url: '/v1/connect/zoom?launch=whatever',
        headers: { accept, origin: 'https://app.example.com', 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
    expect((await launch('application/json')).statusCode).toBe(400);
    expect((await launch('application/json')).statusCode).toBe(400);
    const limited = await launch('application/json');
    expectRateLimited(limited);
    expect(limited.json().code).toBe('rate_limited');
    expect(limited.headers['cache-control']).toBe('no-store');
  });

  it('answers a rate-limited browser opening connect_url with a page, not JSON', async () => {
    const launch = () => request({ method: 'GET', url: '/v1/connect/zoom?launch=whatever', headers: { accept: 'text/html' } });
    await launch();
    await launch();
    const limited = await launch();
    expectRateLimited(limited);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.body).toContain('rate_limited');
  });

  it('answers the third callback in a minute with 429 rate_limited and Retry-After', async () => {
    const callback = () => request({ method: 'GET', url: '/v1/connect/zoom/callback?state=unknown&code=x', headers: { accept: 'application/json' } });
    expect((await callback()).statusCode).toBe(400);
    expect((await callback()).statusCode).toBe(400);
    const limited = await callback();
    expectRateLimited(limited);
    expect(limited.json().code).toBe('rate_limited');
  });

  it('counts each route on its own: a busy launch does not limit session creation', async () => {
    for (let i = 0; i < 3; i++) await request({ method: 'GET', url: '/v1/connect/zoom?launch=x', headers: { accept: 'application/json' } });
    expect((await createSession()).statusCode).toBe(201);
  });

  it('does not limit the server-to-server connections API', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await request({ method: 'GET', url: '/v1/connections', headers: { authorization: `Bearer ${testApiKey}` } });
      expect(response.statusCode).toBe(200);
    }
  });
});
