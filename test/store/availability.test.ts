// The database goes away and comes back under a running gateway (the real app on the PostgreSQL store, on a
// cluster of this file's own, so stopping it disturbs no other test): while it is gone every request that
// needs it answers a clear 503 store_unavailable, readiness says not_ready, nothing crashes; once it is back
// the same app serves again without a restart.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRecallClient } from '../../src/recall/client.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { appOrigin, baseEnv, testApiKey } from '../support/gateway.js';
import { applicationRole, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { specProblems } from '../support/spec-responses.js';

const poolSize = 4;
let cluster: PostgresCluster;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  cluster = await startPostgresCluster();
  // Nothing here reaches Recall: the base URL only has to be a URL.
  const config = loadConfig({ ...baseEnv('http://127.0.0.1:9'), DATABASE_URL: cluster.url });
  store = await openStore(config.databaseUrl, { poolSize });
  const recall = createRecallClient({ baseUrl: config.recall.baseUrl, apiKey: config.recall.apiKey, oauthAppId: config.recall.oauthAppId });
  app = await buildApp({ deps: { config, store, recall, appKind: 'user_level', now: () => new Date() }, logStream: { write: () => {} } });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await cluster?.destroy();
});

/** app.inject, with the answer checked against gateway.yaml. */
async function request(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
  const response = await app.inject(options);
  const method = String(options.method ?? 'GET');
  expect(specProblems(method, options.url.split('?')[0]!, response), `${method} ${options.url} answered outside gateway.yaml`).toEqual([]);
  return response;
}

const apiKey = { authorization: `Bearer ${testApiKey}` };
const createSession = () =>
  request({ method: 'POST', url: '/v1/connect-sessions', headers: apiKey, payload: { end_user_id: 'user_42', return_to: `${appOrigin}/settings` } });
const listConnections = () => request({ method: 'GET', url: '/v1/connections', headers: apiKey });
const readiness = () => request({ method: 'GET', url: '/readyz' });
const launchPathOf = (connectUrl: string) => `${new URL(connectUrl).pathname}${new URL(connectUrl).search}`;
/** The app's page posting its launch form to connect_url. */
const launch = (connectUrl: string, accept: string) =>
  request({
    method: 'POST',
    url: launchPathOf(connectUrl),
    headers: { accept, origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });

function expectStoreUnavailable(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status: 503, code: 'store_unavailable', title: 'Database unavailable' });
}

describe('the database goes away and comes back', () => {
  let connectUrl: string;

  it('serves while the database is up', async () => {
    const session = await createSession();
    expect(session.statusCode).toBe(201);
    connectUrl = session.json<{ connect_url: string }>().connect_url;
    expect((await readiness()).json()).toEqual({ status: 'ready', checks: { store: 'ok', config: 'ok', load: 'ok' } });
  });

  describe('while it is stopped', () => {
    beforeAll(async () => {
      await cluster.stop();
    }, 60_000);

    it('answers /readyz 503 not_ready, naming the store as failing', async () => {
      const response = await readiness();
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: 'not_ready', checks: { store: 'failing', config: 'ok', load: 'ok' } });
    });

    it('answers a new connect session with a 503 store_unavailable problem', async () => {
      expectStoreUnavailable(await createSession());
    });

    it('answers the connection list with a 503 store_unavailable problem', async () => {
      expectStoreUnavailable(await listConnections());
    });

    it('answers a launch with a 503 store_unavailable problem, or page for a browser', async () => {
      expectStoreUnavailable(await launch(connectUrl, 'application/json'));
      const page = await launch(connectUrl, 'text/html');
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
    });

    it('stays alive: liveness still answers', async () => {
      expect((await request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });

  describe('once it is back', () => {
    beforeAll(async () => {
      await cluster.start();
    }, 60_000);

    it('is ready again without a restart', async () => {
      expect((await readiness()).json()).toEqual({ status: 'ready', checks: { store: 'ok', config: 'ok', load: 'ok' } });
    });

    it('serves the API again, and the launch code kept from before still works', async () => {
      expect((await createSession()).statusCode).toBe(201);
      expect((await listConnections()).statusCode).toBe(200);
      const launched = await launch(connectUrl, 'text/html');
      expect(launched.statusCode).toBe(303);
      expect(launched.cookies).toHaveLength(1);
    });
  });

  describe('when the server ends every connection of the gateway', () => {
    it('answers nothing worse than 503 store_unavailable meanwhile, and serves again once they are dropped', async () => {
      await createSession();
      const admin = new pg.Client({ connectionString: cluster.adminUrl });
      await admin.connect();
      try {
        // With a timeout, pg_terminate_backend returns once each session has ended, not when it was asked to.
        const ended = await admin.query(
          "select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = 'zoom-connect-gateway'",
        );
        expect(ended.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await expectServedAgainOnceEndedConnectionsAreDropped();
    });

    it('answers a request whose query was running at that moment with 503 store_unavailable, and lives on', async () => {
      const admin = new pg.Client({ connectionString: cluster.adminUrl.replace(/\/postgres$/, `/${applicationRole.database}`) });
      await admin.connect();
      try {
        // The superuser holds a lock the session's insert waits for: the request is mid-query when its connection ends.
        await admin.query('begin');
        await admin.query('lock table connect_sessions in access exclusive mode');
        const pending = createSession();
        await waitUntil(
          async () =>
            (await admin.query("select 1 from pg_stat_activity where application_name = 'zoom-connect-gateway' and wait_event_type = 'Lock'"))
              .rowCount! > 0,
        );
        await admin.query("select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = 'zoom-connect-gateway'");
        expectStoreUnavailable(await pending);
        await admin.query('commit');
      } finally {
        await admin.end();
      }
      await expectServedAgainOnceEndedConnectionsAreDropped();
    });
  });
});

/**
 * Every connection of the pool was ended: one the pool has not noticed yet (its socket's end still unread) fails
 * one request with 503 store_unavailable, then is dropped, so after at most `poolSize` such answers a request is
 * served.
 */
async function expectServedAgainOnceEndedConnectionsAreDropped(): Promise<void> {
  const answers: LightMyRequestResponse[] = [];
  for (let attempt = 0; attempt <= poolSize; attempt += 1) {
    const answer = await createSession();
    answers.push(answer);
    if (answer.statusCode === 201) return;
    expectStoreUnavailable(answer);
  }
  expect(answers.map((answer) => answer.statusCode)).toContain(201);
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
