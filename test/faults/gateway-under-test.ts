// The real gateway (buildApp, SQLite, the real Recall client with its timeouts and retries) on the fake Recall,
// in-process. Retries do not wait (a no-op sleep) and a Recall "timeout" lasts timeoutMs, so hundreds of
// flows with faults run in seconds.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { RecallApi } from '../../src/recall/recall-api.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { baseEnv, captureLogs, testRecallKey, oauthAppId, zoomClientId, recallClientFor } from '../support/gateway.js';
import { injectSend, type Send } from './browser.js';
import { FakeRecall, FakeZoom, type FakeRecallOptions } from './fake-recall.js';

export interface GatewayUnderTest {
  app: FastifyInstance;
  store: Store;
  config: Config;
  recall: FakeRecall;
  /** The gateway's Recall client (for jobs a test runs itself, such as a health sync). */
  recallApi: RecallApi;
  zoom: FakeZoom;
  /** Log lines the app wrote (JSON text). */
  logs: string[];
  send: Send;
  close(): Promise<void>;
}

export interface GatewayOptions extends Partial<Pick<FakeRecallOptions, 'kind' | 'reauthorization' | 'conflictSpendsCode' | 'pageSize' | 'gate'>> {
  env?: Record<string, string>;
  /** The Recall client's deadline per call: what a fault "timeout" costs. */
  recallTimeoutMs?: number;
  databaseUrl?: string;
}

export async function startGateway(options: GatewayOptions = {}): Promise<GatewayUnderTest> {
  const zoom = new FakeZoom();
  const recall = new FakeRecall({
    apiKey: testRecallKey,
    oauthAppId,
    zoomClientId,
    zoom,
    kind: options.kind ?? 'user_level',
    reauthorization: options.reauthorization ?? 'update',
    conflictSpendsCode: options.conflictSpendsCode,
    pageSize: options.pageSize,
    gate: options.gate,
  });
  const config = loadConfig({ ...baseEnv(recall.baseUrl), ...options.env });
  const store = await openStore(options.databaseUrl ?? 'sqlite::memory:', { events: config.webhook !== null });
  const { logs, stream: logStream } = captureLogs();
  const client = recallClientFor(config, {
    fetch: recall.fetch,
    timeoutMs: options.recallTimeoutMs ?? 20,
  });
  const app = await buildApp({
    deps: { config, store, recall: client, appKind: options.kind ?? 'user_level', now: () => new Date() },
    logStream,
    // Many flows from one address in a second: the limits are the rate-limit suite's business, not this one's.
    rateLimits: { sessionsPerMinute: 1_000_000, browserPerMinute: 1_000_000, failedAuthPerMinute: 1_000_000 },
  });
  await app.ready();
  return {
    app,
    store,
    config,
    recall,
    recallApi: client,
    zoom,
    logs,
    send: injectSend(app),
    async close() {
      await app.close();
      await store.close();
    },
  };
}
