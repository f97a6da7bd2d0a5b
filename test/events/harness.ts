// The gateway as server.ts assembles it, for the tests of health sync, outbound events and metrics: the real
// app on a Recall client with the shared list budget and the metrics' onCall, on Prism (driven per call by the
// Recall scenario), with the background jobs these tests ask for. Unlike test/support/gateway.ts it can keep
// its SQLite file and build a new app on it (`restart`), as a restarted gateway would.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { buildApp, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { budgetListCalls, LIST_BUDGET, RequestBudget } from '../../src/health/request-budget.js';
import { createGatewayMetrics, type GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { RecallApi, ZoomAppKind } from '../../src/recall/recall-api.js';
import { openStore } from '../../src/store/index.js';
import type { CredentialSnapshot } from '../../src/store/store.js';
import { baseEnv, captureLogs, liveView, type TestGateway, recallClientFor } from '../support/gateway.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { saveConnection } from '../support/store-changes.js';
import { specProblems } from '../support/spec-responses.js';

export const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface HarnessOptions {
  env?: (recallUrl: string) => Record<string, string>;
  /** Background jobs and other buildApp options (healthSync, webhooks). */
  app?: Pick<AppOptions, 'healthSync' | 'webhooks' | 'housekeeping'>;
  /** The shared list budget's size (Recall's 60/min by default). */
  listPerMinute?: number;
  /** The Zoom OAuth app's kind (the Prism story's app is user-level). */
  appKind?: ZoomAppKind;
}

export interface HarnessGateway extends TestGateway {
  metrics: GatewayMetrics;
  listBudget: RequestBudget;
  /** The app's Recall client (list budget and metrics included), for jobs a test runs itself. */
  recallApi: RecallApi;
  /** Closes the app (its background jobs finish what they hold) and builds a new one on the same database. */
  restart(options?: HarnessOptions['app']): Promise<void>;
}

export function useHarness(options: HarnessOptions = {}): HarnessGateway {
  const recall = useRecallScenario();
  let folder: string;
  let current: Omit<HarnessGateway, 'recall' | 'restart' | 'request'> | undefined;
  let clock: { now: Date; advance(seconds: number): void };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'zcg-events-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function build(databaseFile: string, appOptions: HarnessOptions['app']) {
    const config = loadConfig({ ...baseEnv(recall.url), ...options.env?.(recall.url) });
    const store = await openStore(`sqlite:${databaseFile}`, { events: config.webhook !== null });
    const { logs, stream: logStream } = captureLogs();
    const metrics = createGatewayMetrics();
    // The budget's clock is the test's: a 429 pause or a full window passes when the test says so.
    const listBudget = new RequestBudget({
      store,
      name: LIST_BUDGET,
      perMinute: options.listPerMinute ?? 60,
      now: () => clock.now.getTime(),
      sleep: async (ms) => clock.advance(ms / 1000),
    });
    const recallClient = recallClientFor(config, {
      fetch: budgetListCalls(listBudget, recall.fetch),
      onCall: metrics.recallCall,
    });
    const deps = { config, store, recall: recallClient, appKind: options.appKind ?? 'user_level', now: () => clock.now } as const;
    const app = await buildApp({ deps, logStream, metrics, ...appOptions });
    await app.ready();
    return { app, store, config, appKind: deps.appKind, logs, clock, metrics, listBudget, recallApi: recallClient, databaseFile };
  }

  let databaseFile: string;
  beforeEach(async () => {
    clock = { now: new Date('2026-11-29T10:00:00.000Z'), advance: (s: number) => (clock.now = new Date(clock.now.getTime() + s * 1000)) };
    databaseFile = join(folder, randomUUID(), 'gateway.db');
    current = await build(databaseFile, options.app);
  });

  afterEach(async () => {
    await current?.app.close();
    await current?.store.close();
    current = undefined;
  });

  const get = () => {
    if (!current) throw new Error('useHarness: use it inside a test');
    return current;
  };
  return Object.assign(liveView(get, ['app', 'store', 'config', 'appKind', 'logs', 'clock', 'metrics', 'listBudget', 'recallApi']), {
    recall,
    async request(requestOptions: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
      const response = await get().app.inject(requestOptions);
      const path = requestOptions.url.split('?')[0]!;
      expect(specProblems(String(requestOptions.method ?? 'GET'), path, response), `${path} answered outside gateway.yaml`).toEqual([]);
      return response;
    },
    async restart(appOptions = options.app) {
      const { app, store } = get();
      current = undefined;
      await app.close();
      await store.close();
      current = await build(databaseFile, appOptions);
    },
  });
}

/** A Recall credential as the store keeps it: healthy and on no Zoom identity unless `overrides` say so. */
export function credentialSnapshot(id: string, overrides: Partial<CredentialSnapshot> = {}): CredentialSnapshot {
  return { id, status: 'healthy', userId: null, accountId: null, meetingSyncStatus: 'not_started', ...overrides };
}

/** `endUserId`'s connection on `credential`, saved straight into the gateway's store (no flow, no Recall call). */
export async function connectionOn(gateway: HarnessGateway, endUserId: string, credential: CredentialSnapshot) {
  const saved = await saveConnection(gateway.store, {
    newConnectionId: randomUUID(),
    endUserId,
    credential,
    appKind: gateway.appKind,
    replacesCredentialIds: [],
    now: gateway.clock.now.toISOString(),
  });
  return saved.connection;
}
