// Re-authorization whichever way Recall answers it, on the stateful fake: the same credential updated (200), or a
// new credential for the Zoom identity with the old one deleted by Recall itself or kept until someone deletes
// it. Claims, for each: every end user of the identity ends on the credential Recall holds for it, Recall holds
// one credential per identity once the gateway is done, and no connection ever points at a credential Recall no
// longer has: not when the delete of the old one fails (owed, and repaid by the health sync), and not when a
// callback Recall answered before a newer re-authorization saves after it.
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/health/request-budget.js';
import { runHealthSync } from '../../src/health/sync.js';
import { appOrigin, testApiKey } from '../support/gateway.js';
import { connectFlow, CookieJar, finishFlow, startFlow, type FlowEnd, type FlowPlan } from './browser.js';
import { holdCreate, type Reauthorization, type ZoomIdentity } from './fake-recall.js';
import { startGateway, type GatewayOptions, type GatewayUnderTest } from './gateway-under-test.js';

const returnTo = `${appOrigin}/settings`;
const plan = (endUserId: string, identity: ZoomIdentity): FlowPlan => ({ endUserId, identity, apiKey: testApiKey, returnTo });
const acme = (user: string): ZoomIdentity => ({ userId: `zoom-user-${user}`, accountId: 'zoom-account-acme' });

let gateway: GatewayUnderTest | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(options: GatewayOptions): Promise<GatewayUnderTest> {
  gateway = await startGateway({ kind: 'account_level', recallTimeoutMs: 10_000, ...options });
  return gateway;
}

async function connections(g: GatewayUnderTest) {
  return g.store.listConnections({ limit: 100 });
}

/** Connections on a credential Recall no longer has. */
async function dangling(g: GatewayUnderTest): Promise<string[]> {
  return (await connections(g))
    .filter((c) => c.recallCredentialId !== null && !g.recall.credentials.has(c.recallCredentialId))
    .map((c) => c.endUserId);
}

const atRecall = (g: GatewayUnderTest) => [...g.recall.credentials.values()].filter((credential) => credential.account_id === 'zoom-account-acme');

async function runSync(g: GatewayUnderTest) {
  const deps = { config: g.config, store: g.store, recall: g.recallApi, now: () => new Date(), log: { info() {}, warn() {}, error() {} } };
  return runHealthSync(deps, { callBudget: new RequestBudget({ store: g.store, name: 'test-calls', perMinute: 1000 }) });
}

const modes: { reauthorization: Reauthorization; deletes: number[] }[] = [
  { reauthorization: 'update', deletes: [] },
  // Recall removed the old one itself: the gateway's delete finds it gone (404), which settles it.
  { reauthorization: 'new_id_old_deleted', deletes: [404, 404] },
  { reauthorization: 'new_id_old_kept', deletes: [204, 204] },
];

describe.each(modes)('Recall re-authorizing a Zoom account: $reauthorization', ({ reauthorization, deletes }) => {
  it('ends every end user of the account on the one credential Recall holds for it', async () => {
    const g = await start({ reauthorization });
    for (const [endUserId, user] of [
      ['user_0', 'ada'],
      ['user_1', 'bob'],
      ['user_0', 'ada'],
    ] as const) {
      expect(await connectFlow(g.send, g.zoom, plan(endUserId, acme(user)))).toMatchObject({ result: 'connected' });
    }
    const [current, ...others] = atRecall(g);
    expect(others).toEqual([]);
    const rows = await connections(g);
    expect(rows.map((c) => [c.endUserId, c.status, c.recallCredentialId]).sort()).toEqual([
      ['user_0', 'connected', current!.id],
      ['user_1', 'connected', current!.id],
    ]);
    expect(g.recall.calls.filter((call) => call.operation === 'delete').map((call) => call.outcome)).toEqual(deletes);
    expect(await g.store.deletionsOwed('2999-01-01T00:00:00.000Z', 10)).toEqual([]);
    expect(await dangling(g)).toEqual([]);
  });
});

describe('the delete of a replaced credential fails', () => {
  it('owes it, with no connection on it, and the health sync deletes it at Recall later', async () => {
    const g = await start({ reauthorization: 'new_id_old_kept' });
    expect(await connectFlow(g.send, g.zoom, plan('user_0', acme('ada')))).toMatchObject({ result: 'connected' });
    const [old] = atRecall(g);
    // Every attempt of the delete fails (the client retries a 503 three times).
    g.recall.script('delete', '503', '503', '503', '503');
    expect(await connectFlow(g.send, g.zoom, plan('user_1', acme('bob')))).toMatchObject({ result: 'connected' });

    expect(atRecall(g)).toHaveLength(2);
    expect((await connections(g)).filter((c) => c.recallCredentialId === old!.id)).toEqual([]);
    expect(await g.store.deletionsOwed('2999-01-01T00:00:00.000Z', 10)).toEqual([{ credentialId: old!.id, attempts: 1 }]);
    expect(await g.store.retiredCredential(old!.id)).toMatchObject({ deletionOwed: true });

    // The next run is due once the backoff passed; a run sooner leaves it for later.
    expect((await runSync(g)).retiredDeleted).toBe(0);
    await g.store.transaction((tx) => tx.credentials.postponeDeletion(old!.id, { nextAttemptAt: new Date().toISOString(), error: 'test' }));
    expect((await runSync(g)).retiredDeleted).toBe(1);
    expect(atRecall(g).map((credential) => credential.id)).not.toContain(old!.id);
    expect(atRecall(g)).toHaveLength(1);
    expect(await g.store.deletionsOwed('2999-01-01T00:00:00.000Z', 10)).toEqual([]);
    expect(await dangling(g)).toEqual([]);
  });
});

describe.each(['new_id_old_deleted', 'new_id_old_kept'] as const)(
  'two re-authorizations of one Zoom account saved out of order: %s',
  (reauthorization) => {
    it('never saves the older answer over the newer one: its callback goes through Zoom again and ends on the current credential', async () => {
      const { gate, held, release } = holdCreate(2);
      const g = await start({ reauthorization, gate });
      expect(await connectFlow(g.send, g.zoom, plan('user_0', acme('ada')))).toMatchObject({ result: 'connected' });
      // user_1's create is answered (a new credential) and held before its connection is saved...
      const jar = new CookieJar();
      const first = plan('user_1', acme('bob'));
      const started = await startFlow(g.send, first, jar);
      if ('result' in started) throw new Error(`launch failed: ${JSON.stringify(started)}`);
      const stale: Promise<FlowEnd> = finishFlow(g.send, g.zoom, first, jar, started.authorizeUrl);
      await held;
      // ...while user_2 re-authorizes the account again: Recall creates a newer credential, saved first.
      expect(await connectFlow(g.send, g.zoom, plan('user_2', acme('cy')))).toMatchObject({ result: 'connected' });
      release();
      expect(await stale).toMatchObject({ result: 'connected' });
      expect(g.logs.join('\n')).toContain('Recall answered with a credential it has replaced since; retiring it');

      const [current, ...others] = atRecall(g);
      expect(others).toEqual([]);
      expect((await connections(g)).map((c) => [c.endUserId, c.recallCredentialId]).sort()).toEqual([
        ['user_0', current!.id],
        ['user_1', current!.id],
        ['user_2', current!.id],
      ]);
      expect(await g.store.deletionsOwed('2999-01-01T00:00:00.000Z', 10)).toEqual([]);
      expect(await dangling(g)).toEqual([]);
    });
  },
);

describe('a callback Recall answers with a credential the gateway retired but could not delete yet', () => {
  it('deletes it at Recall before the trip through Zoom, so the second trip gets a fresh credential', async () => {
    const g = await start({ kind: 'user_level', reauthorization: 'update' });
    const shared = { userId: 'zoom-user-shared', accountId: 'zoom-account-0' };
    expect(await connectFlow(g.send, g.zoom, plan('user_1', shared))).toMatchObject({ result: 'connected' });
    const [old] = [...g.recall.credentials.keys()];
    // user_1 moves to another Zoom user: the old credential serves nobody, is retired, and its delete fails.
    g.recall.script('delete', '503', '503', '503', '503');
    expect(await connectFlow(g.send, g.zoom, plan('user_1', { userId: 'zoom-user-other', accountId: 'zoom-account-0' }))).toMatchObject({
      result: 'connected',
    });
    expect(g.recall.credentials.has(old!)).toBe(true);
    expect(await g.store.retiredCredential(old!)).toMatchObject({ deletionOwed: true });

    // user_2 signs in as the shared Zoom user: Recall updates and answers the retired credential.
    expect(await connectFlow(g.send, g.zoom, plan('user_2', shared))).toMatchObject({ result: 'connected' });
    const user2 = await g.store.getConnectionByEndUser('user_2');
    expect(user2?.recallCredentialId).not.toBe(old);
    expect(g.recall.credentials.has(old!)).toBe(false);
    expect(g.recall.credentials.get(user2!.recallCredentialId!)?.user_id).toBe('zoom-user-shared');
    expect(await g.store.deletionsOwed('2999-01-01T00:00:00.000Z', 10)).toEqual([]);
    expect(await dangling(g)).toEqual([]);
  });
});
