// The gateway process killed (SIGKILL) between the two steps of replacing a credential: it has moved every
// connection off the old credential (and recorded its delete at Recall as owed, in the same transaction) and its
// delete is on the way to Recall, which never acts on it. After a restart on the same database, the health sync
// repays the owed delete: no connection was ever on a credential Recall no longer has, and Recall ends with the
// one credential of the Zoom user.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOrigin, oauthAppId, testApiKey, testRecallKey, zoomClientId } from '../support/gateway.js';
import { freePort } from '../support/free-port.js';
import { connectFlow, httpSend, type FlowPlan, type Send } from './browser.js';
import { FakeRecall, FakeZoom, type RecallOperation } from './fake-recall.js';
import { killGatewayProcess, processEnv, startGatewayProcess, waitUntilReady, type GatewayProcess } from './gateway-process.js';

const returnTo = `${appOrigin}/settings`;
const sharedZoomUser = { userId: 'zoom-user-shared', accountId: 'zoom-account-0' };
const plan = (endUserId: string): FlowPlan => ({ endUserId, identity: sharedZoomUser, apiKey: testApiKey, returnTo });

describe('SIGKILL between moving the connections off a replaced credential and deleting it at Recall', () => {
  const zoom = new FakeZoom();
  let holding = true;
  let reached!: () => void;
  let release!: () => void;
  const deleteReached = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  // The first delete is held before Recall acts, and dropped once released: its caller is dead by then.
  const gate = async (operation: RecallOperation, phase: 'before' | 'after') => {
    if (operation !== 'delete' || phase !== 'before' || !holding) return;
    holding = false;
    reached();
    await released;
    throw new Error('the gateway that sent this delete is gone');
  };
  const recall = new FakeRecall({
    apiKey: testRecallKey,
    oauthAppId,
    zoomClientId,
    zoom,
    kind: 'user_level',
    reauthorization: 'new_id_old_kept',
    gate,
  });
  let recallServer: { url: string; close(): Promise<void> };
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  let send: Send;
  let gateway: GatewayProcess | undefined;
  let oldCredentialId: string;

  const database = () => new BetterSqlite3(env.DATABASE_URL!.slice('sqlite:'.length), { readonly: true });

  beforeAll(async () => {
    recallServer = await recall.listen();
    dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-sigkill-replace-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    send = httpSend(base);
    env = { ...processEnv(port, dataDir, recallServer.url), HEALTH_SYNC_INTERVAL_S: '0' };
    gateway = startGatewayProcess(env);
    await waitUntilReady(base, gateway);
  }, 60_000);

  afterAll(async () => {
    release();
    await killGatewayProcess(gateway);
    await recallServer?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is killed while the delete of the replaced credential is on its way to Recall', async () => {
    expect(await connectFlow(send, zoom, plan('user_0'))).toMatchObject({ result: 'connected' });
    oldCredentialId = [...recall.credentials.keys()][0]!;
    // user_1 signs in as the same Zoom user: Recall answers with a new credential and keeps the old one.
    const second = connectFlow(send, zoom, plan('user_1')).catch(() => 'killed' as const);
    await deleteReached;
    gateway!.child.kill('SIGKILL');
    expect(await gateway!.exited).toBeNull();
    expect(await second).toBe('killed');

    expect(recall.credentials.size).toBe(2);
    const db = database();
    try {
      const rows = db.prepare('select end_user_id, recall_credential_id from connections order by end_user_id').all() as {
        end_user_id: string;
        recall_credential_id: string;
      }[];
      const [newCredentialId] = [...recall.credentials.keys()].filter((id) => id !== oldCredentialId);
      expect(rows).toEqual([
        { end_user_id: 'user_0', recall_credential_id: newCredentialId },
        { end_user_id: 'user_1', recall_credential_id: newCredentialId },
      ]);
      expect(db.prepare('select credential_id from owed_credential_deletions').all()).toEqual([{ credential_id: oldCredentialId }]);
      expect(db.prepare('select id from deleted_credentials').all()).toEqual([{ id: oldCredentialId }]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('repays the owed delete after a restart (the health sync), leaving Recall one credential of the Zoom user', async () => {
    release();
    gateway = startGatewayProcess({ ...env, HEALTH_SYNC_INTERVAL_S: '1' });
    await waitUntilReady(base, gateway);
    const deadline = Date.now() + 20_000;
    while (recall.credentials.has(oldCredentialId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recall.credentials.has(oldCredentialId)).toBe(false);
    expect(recall.credentials.size).toBe(1);
    const db = database();
    try {
      expect(db.prepare('select credential_id from owed_credential_deletions').all()).toEqual([]);
      const onCredentials = db.prepare('select distinct recall_credential_id as id from connections').all() as { id: string }[];
      expect(onCredentials.map(({ id }) => recall.credentials.has(id))).toEqual([true]);
    } finally {
      db.close();
    }
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 60_000);
});
