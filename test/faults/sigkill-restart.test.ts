// The gateway process (src/server.ts, SQLite file store) killed with SIGKILL while callbacks are in flight:
// some held by Recall before it acted, some after it created the credential but before it answered, some
// already saving, while other requests write sessions. After a restart on the same database: the file is
// intact, no connection points at a credential Recall does not have, a callback that had reached Recall is
// not replayed to it (its state was spent durably before Recall was called), and every user connects again.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOrigin, oauthAppId, testApiKey, testRecallKey, zoomClientId } from '../support/gateway.js';
import { CookieJar, connectFlow, flowEndOf, httpSend, startFlow, type FlowEnd, type FlowPlan, type Send } from './browser.js';
import { FakeRecall, FakeZoom, type RecallOperation } from './fake-recall.js';
import { killGatewayProcess, processEnv, startGatewayProcess, waitUntilReady, type GatewayProcess } from './gateway-process.js';
import { freePort } from '../support/free-port.js';

const END_USERS = 24;
const returnTo = `${appOrigin}/settings`;
const plan = (i: number): FlowPlan => ({
  endUserId: `user_${i}`,
  identity: { userId: `zoom-user-${i}`, accountId: `zoom-account-${i}` },
  apiKey: testApiKey,
  returnTo,
});

/** Holds creates by arrival: the 1st of every three before Recall acts, the 2nd after it acted, the 3rd not at all. */
function createHolds() {
  let arrivals = 0;
  let holding = true;
  let releaseAll!: () => void;
  const released = new Promise<void>((resolve) => (releaseAll = resolve));
  const held = { count: 0 };
  const gate = async (operation: RecallOperation, phase: 'before' | 'after') => {
    if (operation !== 'create' || !holding) return;
    if (phase === 'before') arrivals += 1;
    const mode = (arrivals - 1) % 3;
    if ((mode === 0 && phase === 'before') || (mode === 1 && phase === 'after')) {
      held.count += 1;
      await released;
    }
  };
  return {
    gate,
    held,
    stop() {
      holding = false;
      releaseAll();
    },
  };
}

describe('SIGKILL in the middle of callbacks, then a restart on the same database', () => {
  const zoom = new FakeZoom();
  const holds = createHolds();
  const recall = new FakeRecall({
    apiKey: testRecallKey,
    oauthAppId,
    zoomClientId,
    zoom,
    kind: 'user_level',
    reauthorization: 'legacy',
    gate: holds.gate,
  });
  let recallServer: { url: string; close(): Promise<void> };
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  let send: Send;
  let gateway: GatewayProcess | undefined;
  /** Each in-flight callback, to replay after the restart. */
  const inFlight: { plan: FlowPlan; code: string; url: string; cookie: Record<string, string>; answer?: FlowEnd | 'killed' }[] = [];

  beforeAll(async () => {
    recallServer = await recall.listen();
    dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-sigkill-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    send = httpSend(base);
    env = processEnv(port, dataDir, recallServer.url);
    gateway = startGatewayProcess(env);
    await waitUntilReady(base, gateway);
  }, 60_000);

  afterAll(async () => {
    holds.stop();
    await killGatewayProcess(gateway);
    await recallServer?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is killed while callbacks wait on Recall and sessions are being written', async () => {
    for (let i = 0; i < END_USERS; i++) {
      const jar = new CookieJar();
      const started = await startFlow(send, plan(i), jar);
      if ('result' in started) throw new Error(`launch failed: ${JSON.stringify(started)}`);
      const { code, state } = zoom.authorize(started.authorizeUrl, plan(i).identity);
      inFlight.push({ plan: plan(i), code, url: `/v1/connect/zoom/callback?${new URLSearchParams({ code, state })}`, cookie: jar.header() });
    }
    const callbacks = inFlight.map(({ url, cookie }) => send({ method: 'GET', url, headers: cookie }).catch(() => 'killed' as const));
    let writing = true;
    const writes = (async () => {
      for (let n = 0; n < 500 && writing; n++) {
        const answer = await send({
          method: 'POST',
          url: '/v1/connect-sessions',
          headers: { authorization: `Bearer ${testApiKey}` },
          body: { end_user_id: `writer_${n}` },
        }).catch(() => undefined);
        if (!answer) return;
      }
    })();

    const deadline = Date.now() + 15_000;
    while (holds.held.count < (END_USERS * 2) / 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    gateway!.child.kill('SIGKILL');
    expect(await gateway!.exited).toBeNull();
    writing = false;
    holds.stop();
    const [answers] = await Promise.all([Promise.all(callbacks), writes]);
    answers.forEach((answer, i) => (inFlight[i]!.answer = answer === 'killed' ? answer : flowEndOf(answer, returnTo)));

    expect(holds.held.count).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer === 'killed').length).toBeGreaterThanOrEqual(holds.held.count);
    // Recall holds credentials the gateway never heard of (created, then the answer died with the process).
    expect(recall.credentials.size).toBeGreaterThan(0);
  }, 60_000);

  it("leaves a database that passes SQLite's integrity and foreign key checks", () => {
    const db = new BetterSqlite3(env.DATABASE_URL!.slice('sqlite:'.length));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const connections = db.prepare('select end_user_id, recall_credential_id from connections').all() as {
        end_user_id: string;
        recall_credential_id: string | null;
      }[];
      expect(connections.filter((c) => c.recall_credential_id !== null && !recall.credentials.has(c.recall_credential_id))).toEqual([]);
      expect(new Set(connections.map((c) => c.end_user_id)).size).toBe(connections.length);
    } finally {
      db.close();
    }
  });

  it('restarts on the same database and answers every replayed callback that had reached Recall without calling Recall again', async () => {
    gateway = startGatewayProcess(env);
    await waitUntilReady(base, gateway);
    const createsBefore = recall.calls.filter((call) => call.operation === 'create').length;
    const reached = inFlight.filter(({ code }) => recall.receivedCodes.has(code));
    const replays = await Promise.all(
      reached.map(async ({ url, cookie }) => flowEndOf(await send({ method: 'GET', url, headers: cookie }), returnTo)),
    );
    expect(replays.length).toBeGreaterThan(0);
    // A callback killed on its way answers state_reused (its state was spent durably before Recall was called); one
    // that connected before the kill answers its stored outcome again, connected to the same connection.
    expect(replays).toEqual(
      reached.map(({ answer }) => (answer !== 'killed' && answer?.result === 'connected' ? answer : { result: 'error', code: 'state_reused' })),
    );
    expect(reached.filter(({ answer }) => answer === 'killed').length).toBeGreaterThan(0);
    expect(recall.calls.filter((call) => call.operation === 'create').length).toBe(createsBefore);
  }, 60_000);

  it('lets every user connect again, each on a credential Recall has, one per Zoom user', async () => {
    for (let i = 0; i < END_USERS; i++) {
      expect(await connectFlow(send, zoom, plan(i)), `user_${i}`).toMatchObject({ result: 'connected' });
    }
    const listed = await send({ method: 'GET', url: '/v1/connections?limit=100', headers: { authorization: `Bearer ${testApiKey}` } });
    const connections = (
      JSON.parse(listed.body) as { items: { end_user_id: string; status: string; recall_credential_id: string; zoom_user_id: string }[] }
    ).items;
    for (let i = 0; i < END_USERS; i++) {
      const connection = connections.find((c) => c.end_user_id === `user_${i}`);
      expect(connection?.status).toBe('connected');
      expect(recall.credentials.get(connection!.recall_credential_id)?.user_id).toBe(`zoom-user-${i}`);
    }
    const zoomUsers = [...recall.credentials.values()].map((credential) => credential.user_id);
    expect(zoomUsers.length).toBe(new Set(zoomUsers).size);

    gateway!.child.kill('SIGTERM');
    expect(await gateway!.exited).toBe(0);
  }, 60_000);
});
