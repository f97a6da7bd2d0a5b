// useGateway (test/support/gateway.ts) with the two things it does not set: rate limits, and a Recall client that
// logs the way src/server.ts sets it up (its own pino logger: retries at warn, every call at debug), into the same
// captured log as the app, so a test sees everything the process would write.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createRecallClient } from '../../src/recall/client.js';
import type { RateLimits } from '../../src/routes/rate-limits.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { baseEnv } from '../support/gateway.js';
import { useRecallScenario, type RecallScenario } from '../support/recall-scenario.js';
import { specProblems } from '../support/spec-responses.js';

export interface ConfiguredGateway {
  app: FastifyInstance;
  store: Store;
  config: Config;
  recall: RecallScenario;
  logs: string[];
  request(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse>;
}

export function useConfiguredGateway(options: { env?: Record<string, string>; rateLimits?: Partial<RateLimits> } = {}): ConfiguredGateway {
  const recall = useRecallScenario();
  let current: ConfiguredGateway | undefined;

  beforeEach(async () => {
    const config = loadConfig({ ...baseEnv(recall.url), ...options.env });
    const store = await openStore('sqlite::memory:');
    const logs: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const recallClient = createRecallClient({
      baseUrl: config.recall.baseUrl,
      apiKey: config.recall.apiKey,
      oauthAppId: config.recall.oauthAppId,
      fetch: recall.fetch,
      sleep: async () => {},
      logger: pino({ level: config.logLevel, base: { component: 'recall' } }, logStream),
    });
    const app = await buildApp({ deps: { config, store, recall: recallClient, now: () => new Date() }, logStream, rateLimits: options.rateLimits });
    await app.ready();
    const request = async (injected: InjectOptions & { url: string }) => {
      const response = await app.inject(injected);
      const path = injected.url.split('?')[0]!;
      expect(specProblems(String(injected.method ?? 'GET'), path, response), `${injected.method ?? 'GET'} ${path} answered outside gateway.yaml`).toEqual([]);
      return response;
    };
    current = { app, store, config, recall, logs, request };
  });

  afterEach(async () => {
    await current?.app.close();
    await current?.store.close();
    current = undefined;
  });

  const get = (): ConfiguredGateway => {
    if (!current) throw new Error('useConfiguredGateway: use it inside a test');
    return current;
  };
  return {
    get app() { return get().app; },
    get store() { return get().store; },
    get config() { return get().config; },
    get recall() { return get().recall; },
    get logs() { return get().logs; },
    request: (injected) => get().request(injected),
  };
}
