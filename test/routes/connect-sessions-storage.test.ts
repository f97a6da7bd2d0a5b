// What a copy of the database gives away: the gateway runs on a SQLite file here, and the test reads every
// row of every table with its own connection, as someone holding a backup would.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRecallClient } from '../../src/recall/client.js';
import { openStore } from '../../src/store/index.js';
import { appOrigin, baseEnv, testApiKey } from '../support/gateway.js';

describe('a connect session in a SQLite file', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zcg-sessions-'));
    file = join(dir, 'gateway.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Creates a session and launches it on a gateway over `file`, then closes the gateway. */
  async function createAndLaunch() {
    // No Recall call happens before a callback: any attempt fails the test.
    const config = loadConfig(baseEnv('http://127.0.0.1:9'));
    const store = await openStore(`sqlite:${file}`);
    const recall = createRecallClient({
      baseUrl: config.recall.baseUrl,
      apiKey: config.recall.apiKey,
      oauthAppId: config.recall.oauthAppId,
      fetch: (async () => {
        throw new Error('no Recall call expected');
      }) as typeof fetch,
      sleep: async () => {},
      timeoutMs: 1000,
    });
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    const app = await buildApp({ deps: { config, store, recall, appKind: 'user_level', now: () => new Date() }, logStream: silent });
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/v1/connect-sessions',
        headers: { authorization: `Bearer ${testApiKey}` },
        payload: { end_user_id: 'user_42', return_to: `${appOrigin}/settings` },
      });
      expect(created.statusCode, created.body).toBe(201);
      const session = created.json() as { token: string; connect_url: string };
      const launchUrl = new URL(session.connect_url);
      const launched = await app.inject({
        method: 'POST',
        url: `${launchUrl.pathname}${launchUrl.search}`,
        headers: { origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
      expect(launched.statusCode, launched.body).toBe(303);
      return {
        token: session.token,
        launchCode: launchUrl.searchParams.get('launch')!,
        state: new URL(String(launched.headers.location)).searchParams.get('state')!,
        binding: launched.cookies[0]!.value,
      };
    } finally {
      await app.close();
      await store.close();
    }
  }

  function everyRow(): string {
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
      return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`select * from "${name}"`).all()]));
    } finally {
      db.close();
    }
  }

  it('is in the database (the dump below reads the real rows)', async () => {
    await createAndLaunch();
    const dump = everyRow();
    expect(dump).toContain('user_42');
    expect(dump).toContain(`${appOrigin}/settings`);
  });

  it('keeps neither its token nor its launch code in clear', async () => {
    const { token, launchCode } = await createAndLaunch();
    const dump = everyRow();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(launchCode);
  });

  it("keeps neither the flow's state nor its binding value in clear", async () => {
    const { state, binding } = await createAndLaunch();
    const dump = everyRow();
    expect(dump).not.toContain(state);
    expect(dump).not.toContain(binding);
  });
});
