// Reconnecting through Recall's legacy 400 conflict, in Chromium. The demo process answers every Recall call
// with Prism's default example, so this file runs its own demo-mode gateway (buildApp, listening on a free
// port) whose Recall client goes through a Prism scenario that scripts each call's outcome.
import BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoEndUserId, demoRoutes } from '../../src/demo/routes.js';
import { openStore } from '../../src/store/index.js';
import type { ConnectionRecord, CredentialSnapshot, Store } from '../../src/store/store.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { useChromium } from './chromium.js';
import { connectWithRedirect, openDemo, shown } from './demo-page.js';
import { freePort } from '../support/free-port.js';
import { deleteConnection, saveConnection } from '../support/store-changes.js';
import { recallClientFor } from '../support/gateway.js';

// Credential ids of openapi/recall.yaml's examples: `created`, and the legacy one `conflict_account` names.
const createdCredentialId = '3e61f7a6-1983-4b88-8a75-c5078831ee16';
const legacyCredential: CredentialSnapshot = {
  id: '15af756b-f524-4e70-8cc9-74f772d4c94c',
  status: 'unhealthy',
  userId: null,
  accountId: 'Qo2hX07epz8S0xQpWGvtVg',
  meetingSyncStatus: 'completed',
};

describe('reconnecting through the legacy conflict, in Chromium', { timeout: 60_000 }, () => {
  const recall = useRecallScenario();
  const chromium = useChromium();
  let app: FastifyInstance;
  let store: Store;
  let base: string;
  let dataDir: string;
  let databaseFile: string;

  /**
   * Each test starts from the legacy credential again. Prism's story hands out the same example ids every time,
   * which real Recall never does once a credential is deleted: the previous test's retirement of it is forgotten.
   */
  function forgetRetirement(credentialId: string): void {
    const sqlite = new BetterSqlite3(databaseFile);
    try {
      sqlite.prepare('delete from deleted_credentials where id = ?').run(credentialId);
    } finally {
      sqlite.close();
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-browser-'));
    const port = await freePort();
    // No RECALL_API_KEY: demo mode (demo page, mock Zoom), with Recall at the Prism mock.
    const config = loadConfig({
      PORT: String(port),
      RECALL_BASE_URL: recall.url,
      DATABASE_URL: `sqlite:${(databaseFile = path.join(dataDir, 'gateway.db'))}`,
      LOG_LEVEL: 'silent',
      HEALTH_SYNC_INTERVAL_S: '0',
    });
    expect(config.demo).toBe(true);
    store = await openStore(config.databaseUrl);
    const recallClient = recallClientFor(config, {
      fetch: recall.fetch,
    });
    // The conflict of this story is the account-level one (conflict_account).
    app = await buildApp({
      deps: { config, store, recall: recallClient, appKind: 'account_level', now: () => new Date() },
      demo: { routes: demoRoutes },
    });
    await app.listen({ port, host: '127.0.0.1' });
    base = config.publicUrl;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The end user's connection as it stood: on the legacy credential, which Recall now reports unhealthy. */
  let before: ConnectionRecord;
  beforeEach(async () => {
    const existing = await store.getConnectionByEndUser(demoEndUserId);
    if (existing) await deleteConnection(store, existing.id, { now: new Date().toISOString() });
    forgetRetirement(legacyCredential.id);
    const saved = await saveConnection(store, {
      appKind: 'account_level',
      newConnectionId: randomUUID(),
      endUserId: demoEndUserId,
      credential: legacyCredential,
      replacesCredentialIds: [],
      now: new Date().toISOString(),
    });
    before = saved.connection;
  });

  const operations = () => recall.calls.map((call) => call.operation);
  const deletedPaths = () => recall.calls.filter((call) => call.operation === 'delete').map((call) => call.path);

  it('resolves the conflict in one trip (redirect): the legacy credential deleted, the connection connected on the new one', async () => {
    recall.prefer('create', 'code=400, example=conflict_account', 'code=201, example=created');
    recall.prefer('list', 'code=200, example=conflicting_account_page');
    const { page } = await chromium.newTab();
    await openDemo(page, base);
    expect((await shown(page, 'needs_reauth')).connectionId).toBe(before.id);

    await connectWithRedirect(page, 'allow');
    const seen = await shown(page, 'connected');

    expect(seen).toEqual({ state: 'connected', connectionId: before.id, error: null });
    expect(page.url()).toBe(`${base}/`);
    expect(await store.getConnectionByEndUser(demoEndUserId)).toMatchObject({
      id: before.id,
      status: 'connected',
      recallStatus: 'healthy',
      recallCredentialId: createdCredentialId,
    });
    expect(operations()).toEqual(['create', 'list', 'delete', 'create']);
    expect(deletedPaths()).toEqual([`/api/v2/zoom-oauth-credentials/${legacyCredential.id}/`]);
  });

  it('sends the popup through Zoom once more when the conflict spent the code, and ends connected', async () => {
    recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant', 'code=201, example=created');
    recall.prefer('list', 'code=200, example=conflicting_account_page');
    const { page } = await chromium.newTab();
    await openDemo(page, base);
    await shown(page, 'needs_reauth');

    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect-popup')]);
    await popup.waitForSelector('#allow');
    const firstState = new URL(popup.url()).searchParams.get('state');
    await popup.click('#allow');
    // The gateway's 302 back to Zoom: a new flow, so a new state, on the mock consent page again.
    await popup.waitForURL((url) => url.pathname === '/demo/zoom/authorize' && url.searchParams.get('state') !== firstState);
    const closed = popup.waitForEvent('close');
    await popup.click('#allow');
    await closed;
    const seen = await shown(page, 'connected');

    expect(seen).toEqual({ state: 'connected', connectionId: before.id, error: null });
    expect(await store.getConnectionByEndUser(demoEndUserId)).toMatchObject({
      id: before.id,
      status: 'connected',
      recallCredentialId: createdCredentialId,
    });
    expect(operations()).toEqual(['create', 'list', 'delete', 'create', 'create']);
    expect(deletedPaths()).toEqual([`/api/v2/zoom-oauth-credentials/${legacyCredential.id}/`]);
  });
});
