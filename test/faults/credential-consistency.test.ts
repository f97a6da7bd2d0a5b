// Scripted cases of the fault suite's claim, "no connection ever points at a credential Recall no longer has",
// for the schedules a random run only sometimes hits: a delete whose answer is lost, and two callbacks of end
// users sharing one Zoom identity interleaved on purpose (one is held by the fake Recall right after its create
// answered, while the other runs to its end). Each case was a bug, fixed by detaching on an unknown delete outcome
// and by tombstones of deleted credentials (a retired credential, src/store/retired-credentials.ts) that a save refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { appOrigin, testApiKey } from '../support/gateway.js';
import { connectFlow, CookieJar, finishFlow, startFlow, type FlowEnd, type FlowPlan } from './browser.js';
import { holdCreate, type ZoomIdentity } from './fake-recall.js';
import { startGateway, type GatewayOptions, type GatewayUnderTest } from './gateway-under-test.js';

const returnTo = `${appOrigin}/settings`;
const plan = (endUserId: string, identity: ZoomIdentity): FlowPlan => ({ endUserId, identity, apiKey: testApiKey, returnTo });

describe('credentials and connections stay consistent', () => {
  let gateway: GatewayUnderTest | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  async function start(options: GatewayOptions) {
    // A held answer must not look like a timeout: the interleaving is the point, not the deadline.
    gateway = await startGateway({ recallTimeoutMs: 10_000, ...options });
    return gateway;
  }

  /** Starts a flow and its callback, which the gate holds; resolves (with the callback's end to come) once it is held. */
  async function heldCallback(g: GatewayUnderTest, flow: FlowPlan, held: Promise<void>): Promise<{ end: Promise<FlowEnd> }> {
    const jar = new CookieJar();
    const started = await startFlow(g.send, flow, jar);
    if ('result' in started) throw new Error(`launch failed: ${JSON.stringify(started)}`);
    const end = finishFlow(g.send, g.zoom, flow, jar, started.authorizeUrl);
    await held;
    return { end };
  }

  async function danglingConnections(g: GatewayUnderTest) {
    const connections = await g.store.listConnections({ limit: 100 });
    return connections.filter((c) => c.recallCredentialId !== null && !g.recall.credentials.has(c.recallCredentialId)).map((c) => c.endUserId);
  }

  // src/credentials/register.ts, removeConflictingCredentials: a delete whose outcome is unknown (Recall acted, the
  // answer was lost, and every retry failed) may have deleted it: the connections on that credential are detached.
  it('a conflicting credential whose delete Recall carried out, but whose answer was lost, leaves no connection on it', async () => {
    const g = await start({ kind: 'account_level', reauthorization: 'legacy' });
    const account = 'zoom-account-shared';
    expect(await connectFlow(g.send, g.zoom, plan('user_0', { userId: 'zoom-user-0', accountId: account }))).toMatchObject({ result: 'connected' });
    // user_1's create conflicts; the delete of user_0's credential acts but its answer is lost, and the retries fail.
    g.recall.script('delete', 'reset_after', '503', '503', '503');
    expect(await connectFlow(g.send, g.zoom, plan('user_1', { userId: 'zoom-user-1', accountId: account }))).toEqual({
      result: 'error',
      code: 'recall_unavailable',
    });
    expect(g.recall.credentials.size).toBe(0);
    expect(await danglingConnections(g)).toEqual([]);
  });

  // src/credentials/register.ts + replace.ts: a legacy-conflict resolution deletes whatever credential Recall lists
  // for the Zoom account, including one another callback has just created and not yet saved; that callback's save
  // finds the credential tombstoned and writes nothing (the connections it would have moved are detached).
  it("legacy conflict: a second user's conflict resolution never leaves the first user's connection on a deleted credential", async () => {
    const { gate, held, release } = holdCreate(3);
    const g = await start({ kind: 'account_level', reauthorization: 'legacy', gate });
    const account = 'zoom-account-shared';
    // user_0 connects first: the account's credential exists (create #1).
    expect(await connectFlow(g.send, g.zoom, plan('user_0', { userId: 'zoom-user-0', accountId: account }))).toMatchObject({ result: 'connected' });
    // user_1: conflict (create #2), list, delete, create #3 answered: held before its connection is saved.
    const first = await heldCallback(g, plan('user_1', { userId: 'zoom-user-1', accountId: account }), held);
    // user_2 meanwhile: conflict on user_1's new credential, which it deletes, then its own create and save.
    expect(await connectFlow(g.send, g.zoom, plan('user_2', { userId: 'zoom-user-2', accountId: account }))).toMatchObject({ result: 'connected' });
    release();
    await first.end;
    expect(await danglingConnections(g)).toEqual([]);
  });

  // src/credentials/replace.ts adoptCredential: after a reconnect as another Zoom identity, the old credential is
  // retired (then deleted at Recall) when no *saved* connection uses it; a callback that Recall has just answered with
  // that same credential (re-authorization, 200) but that has not saved yet finds it retired, and goes through Zoom
  // once more.
  it("re-authorization: a user switching Zoom identity never deletes the credential another user's callback just received", async () => {
    const { gate, held, release } = holdCreate(2);
    const g = await start({ kind: 'user_level', reauthorization: 'update', gate });
    const shared = { userId: 'zoom-user-shared', accountId: 'zoom-account-0' };
    // user_1 connects as the shared Zoom user (create #1: 201).
    expect(await connectFlow(g.send, g.zoom, plan('user_1', shared))).toMatchObject({ result: 'connected' });
    // user_2 signs in as the same Zoom user: Recall answers with the same credential (create #2: 200), held.
    const second = await heldCallback(g, plan('user_2', shared), held);
    // user_1 reconnects as another Zoom user: its old credential looks unused, and is deleted at Recall.
    expect(await connectFlow(g.send, g.zoom, plan('user_1', { userId: 'zoom-user-other', accountId: 'zoom-account-0' }))).toMatchObject({
      result: 'connected',
    });
    release();
    expect(await second.end).toMatchObject({ result: 'connected' });
    expect(await danglingConnections(g)).toEqual([]);
  });
});
