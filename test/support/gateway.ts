// Builds the real gateway for a test: the app from buildApp, a fresh SQLite store, a Recall client on the
// Prism mock (driven per call by the Recall scenario), a clock the test moves, and captured logs. Every
// response a test receives through `request` is checked against gateway.yaml.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, expect } from 'vitest';
import { buildApp, type AppOptions } from '../../src/app.js';
import { demoRoutes } from '../../src/demo/routes.js';
import { demoOauthAppId, demoZoomClientId, loadConfig, productionVariables, type Config } from '../../src/config.js';
import { createRecallClient, type RecallClientOptions } from '../../src/recall/client.js';
import type { RecallApi, ZoomAppKind } from '../../src/recall/recall-api.js';
import type { RateLimits } from '../../src/routes/rate-limits.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { useRecallScenario, type RecallScenario } from './recall-scenario.js';
import { specProblems } from './spec-responses.js';

export const testApiKey = 'test-gateway-api-key-0001';
export const testRecallKey = 'test-recall-api-key-secret';
export const appOrigin = 'https://app.example.com';
export const oauthAppId = demoOauthAppId;
export const zoomClientId = demoZoomClientId;

export interface TestGateway {
  app: FastifyInstance;
  store: Store;
  config: Config;
  /** The Zoom OAuth app's kind the gateway was given (GatewayOptions.appKind). */
  appKind: ZoomAppKind;
  recall: RecallScenario;
  /** Log lines the app wrote during this test (JSON text). */
  logs: string[];
  clock: { now: Date; advance(seconds: number): void };
  /** app.inject, plus a check of the response against gateway.yaml. */
  request(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse>;
}

export function baseEnv(recallUrl: string): Record<string, string> {
  return {
    RECALL_API_KEY: testRecallKey,
    RECALL_BASE_URL: recallUrl,
    RECALL_ZOOM_OAUTH_APP_ID: oauthAppId,
    ZOOM_CLIENT_ID: zoomClientId,
    GATEWAY_API_KEYS: `${testApiKey},test-gateway-api-key-0002`,
    PUBLIC_URL: 'https://gateway.example.com',
    ZOOM_REDIRECT_URI: 'https://gateway.example.com/v1/connect/zoom/callback',
    ALLOWED_RETURN_ORIGINS: `${appOrigin},https://other.example.com`,
    LOG_LEVEL: 'info',
  };
}

/** Overrides that turn baseEnv into demo mode: no production variable set at all (config.ts isDemo). */
export const demoEnv: Record<string, undefined> = Object.fromEntries(productionVariables.map((name) => [name, undefined]));

/** A log destination that keeps every line written to it, for tests that read what the process would log. */
export function captureLogs(): { logs: string[]; stream: Writable } {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  return { logs, stream };
}

export interface GatewayOptions {
  rateLimits?: Partial<RateLimits>;
  /**
   * Give the Recall client the logger src/server.ts gives it (retries at warn, calls at debug), writing into
   * the same captured log as the app, so a test sees everything the process would write.
   */
  recallLogs?: boolean;
  /** The Zoom OAuth app's kind, as start-up would read it (the Prism story's app is user-level). */
  appKind?: ZoomAppKind;
  /** The HTTP limits and the load shedding, when a test sets its own. */
  app?: Pick<AppOptions, 'http' | 'loadShedding'>;
}

/**
 * For a test file: one Prism per file, and for each test a new store and app. `env` overrides the
 * configuration (a function gets the Prism URL).
 */
export function useGateway(
  env: Record<string, string | undefined> | ((recallUrl: string) => Record<string, string | undefined>) = {},
  options: GatewayOptions = {},
): TestGateway {
  const recall = useRecallScenario();
  let current: TestGateway | undefined;

  beforeEach(async () => {
    const overrides = typeof env === 'function' ? env(recall.url) : env;
    const config = loadConfig({ ...baseEnv(recall.url), ...overrides });
    const store = await openStore('sqlite::memory:', { events: config.webhook !== null });
    const clock = { now: new Date('2026-11-29T10:00:00.000Z'), advance: (s: number) => (clock.now = new Date(clock.now.getTime() + s * 1000)) };
    const { logs, stream: logStream } = captureLogs();
    const recallClient = recallClientFor(config, {
      fetch: recall.fetch,
      ...(options.recallLogs ? { logger: pino({ level: config.logLevel, base: { component: 'recall' } }, logStream) } : {}),
    });
    const appKind = options.appKind ?? 'user_level';
    const app = await buildApp({
      deps: { config, store, recall: recallClient, appKind, now: () => clock.now },
      logStream,
      rateLimits: options.rateLimits,
      ...options.app,
      // In demo mode, the demo routes too, as server.ts adds them.
      ...(config.demo ? { demo: { routes: demoRoutes } } : {}),
    });
    await app.ready();
    const request = async (options: InjectOptions & { url: string }) => {
      const response = await app.inject(options);
      const problems = specProblems(String(options.method ?? 'GET'), options.url.split('?')[0]!, response);
      expect(problems, `${options.method ?? 'GET'} ${options.url.split('?')[0]} answered outside gateway.yaml`).toEqual([]);
      return response;
    };
    current = { app, store, config, appKind, recall, logs, clock, request };
  });

  afterEach(async () => {
    await current?.app.close();
    await current?.store.close();
    current = undefined;
  });

  const get = (): TestGateway => {
    if (!current) throw new Error('useGateway: use it inside a test');
    return current;
  };
  return Object.assign(liveView(get, ['app', 'store', 'config', 'appKind', 'recall', 'logs', 'clock']), {
    request: (options: InjectOptions & { url: string }) => get().request(options),
  });
}

/**
 * An object whose `keys` read through `get()` each time they are read: what a test holds across its hooks while
 * each test builds the gateway anew. (Not to be spread: spreading reads them.)
 */
/** The gateway's Recall client on `config`'s Recall region, key and app, for a test: no pause between retries, a
 * 5 s deadline, unless `options` say otherwise. */
export function recallClientFor(config: Config, options: Partial<RecallClientOptions> = {}): RecallApi {
  return createRecallClient({
    baseUrl: config.recall.baseUrl,
    apiKey: config.recall.apiKey,
    oauthAppId: config.recall.oauthAppId,
    sleep: async () => {},
    timeoutMs: 5000,
    ...options,
  });
}

export function liveView<T extends object, K extends keyof T>(get: () => T, keys: readonly K[]): Pick<T, K> {
  const view = {} as Pick<T, K>;
  for (const key of keys) Object.defineProperty(view, key, { get: () => get()[key], enumerable: true });
  return view;
}
