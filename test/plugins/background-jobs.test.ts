// The background jobs are plugins (src/plugins/housekeeping.ts, health-sync.ts, outbox-dispatcher.ts): they
// start with the app and stop when it closes, leaving nothing running.
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRecallClient } from '../../src/recall/client.js';
import { openStore } from '../../src/store/index.js';
import { baseEnv, captureLogs } from '../support/gateway.js';
import { useRecallScenario } from '../support/recall-scenario.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the background jobs', () => {
  const recall = useRecallScenario();

  it('run while the app is up and stop when it closes', async () => {
    const config = loadConfig({
      ...baseEnv(recall.url),
      WEBHOOK_URL: 'http://127.0.0.1:9/webhooks',
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    const store = await openStore('sqlite::memory:');
    const client = createRecallClient({
      baseUrl: config.recall.baseUrl,
      apiKey: config.recall.apiKey,
      oauthAppId: config.recall.oauthAppId,
      fetch: recall.fetch,
    });
    const purge = vi.spyOn(store, 'purgeExpired');
    const lease = vi.spyOn(store, 'acquireLease');
    const claims = vi.spyOn(store, 'claimEvents');
    const app = await buildApp({
      deps: { config, store, recall: client, appKind: 'user_level' },
      logStream: captureLogs().stream,
      housekeeping: { everyMs: 30 },
      healthSync: { intervalMs: 30 },
      webhooks: { pollMs: 30 },
    });
    expect([purge, lease, claims].map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0]);
    await app.ready();
    await vi.waitFor(() => expect([purge, lease, claims].every((spy) => spy.mock.calls.length > 0)).toBe(true), { timeout: 5000 });

    await app.close();
    const after = [purge, lease, claims].map((spy) => spy.mock.calls.length);
    await pause(300);
    expect([purge, lease, claims].map((spy) => spy.mock.calls.length)).toEqual(after);
    // The health sync handed its lease back: another instance may take it at once.
    expect(await store.acquireLease({ name: 'health-sync', holder: 'another-instance', now: new Date().toISOString(), ttlMs: 60_000 })).toBe(true);
    await store.close();
  });

  it('closes the store the app opened itself, with the app', async () => {
    const config = loadConfig({ ...baseEnv(recall.url), DATABASE_URL: 'sqlite::memory:' });
    const client = createRecallClient({
      baseUrl: config.recall.baseUrl,
      apiKey: config.recall.apiKey,
      oauthAppId: config.recall.oauthAppId,
      fetch: recall.fetch,
    });
    const app = await buildApp({ deps: { config, recall: client, appKind: 'user_level' }, logStream: captureLogs().stream });
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const { store } = app;
    await app.close();
    await expect(store.ping()).rejects.toThrow();
  });
});
