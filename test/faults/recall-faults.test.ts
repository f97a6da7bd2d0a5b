// 200 connect flows against a Recall that fails 30% of its calls: 503, 429 with Retry-After, timeouts and
// connection resets, each either before Recall acted or after it acted and lost the answer. Claims:
// every flow ends connected or with a named code (never an internal error); no Zoom identity ever has two
// credentials, in Recall or in the gateway's store; no connection ever points at a credential Recall no
// longer has; and once Recall recovers, every end user connects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOrigin, testApiKey } from '../support/gateway.js';
import { connectFlow, type FlowEnd, type FlowPlan } from './browser.js';
import { faultKinds, seededRandom, type FakeRecallOptions, type ZoomIdentity } from './fake-recall.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';
import { settleOwedDeletions } from '../../src/credentials/retire.js';

const END_USERS = 40;
const ROUNDS = 5; // 40 end users x 5 rounds = 200 flows
const FAULT_RATE = 0.3;
const returnTo = `${appOrigin}/settings`;
const seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));

const endUserId = (i: number) => `user_${i}`;

/**
 * Each end user signs in as their own Zoom user most of the time, and sometimes as another identity: the next
 * end user's Zoom user (so credentials are shared and replaced), in the same Zoom account as four others.
 */
function identities(i: number): { own: ZoomIdentity; other: ZoomIdentity } {
  const identity = (n: number) => ({ userId: `zoom-user-${n % END_USERS}`, accountId: `zoom-account-${n % 8}` });
  return { own: identity(i), other: identity(i + 1) };
}

const scenarios: { name: string; recall: Pick<FakeRecallOptions, 'kind' | 'reauthorization'> & { conflictSpends?: number } }[] = [
  { name: 'a user-level app, Recall answering re-authorization with the same credential', recall: { kind: 'user_level', reauthorization: 'update' } },
  {
    name: "an account-level app, Recall's legacy 400 conflict (the code sometimes spent by it)",
    recall: { kind: 'account_level', reauthorization: 'legacy', conflictSpends: 0.3 },
  },
  {
    name: 'a user-level app, Recall answering re-authorization with a new credential and keeping the old one until deleted',
    recall: { kind: 'user_level', reauthorization: 'new_id_old_kept' },
  },
];

describe.each(scenarios)('200 flows, Recall failing 30% of calls: $name', ({ recall: recallOptions }) => {
  const random = seededRandom(seed);
  const seedNote = `FAULT_SEED=${seed}`;
  let gateway: GatewayUnderTest;
  const ends: { plan: FlowPlan; end: FlowEnd; problems: string[] }[] = [];

  beforeAll(async () => {
    gateway = await startGateway({
      kind: recallOptions.kind,
      reauthorization: recallOptions.reauthorization,
      conflictSpendsCode: () => random() < (recallOptions.conflictSpends ?? 0),
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const keyOf = (identity: ZoomIdentity) => gateway.recall.keyOf({ user_id: identity.userId, account_id: identity.accountId });

  /** What must hold right after a flow ends connected: the end user's row, on Recall's credential for that identity. */
  async function problemsAfterConnected(plan: FlowPlan, connectionId: string): Promise<string[]> {
    const connection = await gateway.store.getConnectionByEndUser(plan.endUserId);
    const credential = connection?.recallCredentialId ? gateway.recall.credentials.get(connection.recallCredentialId) : undefined;
    const problems: string[] = [];
    if (connection?.id !== connectionId) problems.push(`answered connection ${connectionId}, the store holds ${connection?.id}`);
    if (connection?.status !== 'connected') problems.push(`connection status ${connection?.status}`);
    if (!credential) problems.push(`connection points at ${connection?.recallCredentialId}, which Recall does not have`);
    else if (gateway.recall.keyOf(credential) !== keyOf(plan.identity)) problems.push("connection points at another identity's credential");
    return problems;
  }

  /** Flows whose Zoom identities (past and present) overlap run one after the other; the others run together. */
  function batches(plans: FlowPlan[]): FlowPlan[][] {
    const keysOf = (plan: FlowPlan) => {
      const i = Number(plan.endUserId.slice('user_'.length));
      return [keyOf(identities(i).own), keyOf(identities(i).other)];
    };
    const result: { plans: FlowPlan[]; keys: Set<string> }[] = [];
    for (const plan of plans) {
      const keys = keysOf(plan);
      const batch = result.find((candidate) => keys.every((key) => !candidate.keys.has(key)));
      if (batch) {
        batch.plans.push(plan);
        keys.forEach((key) => batch.keys.add(key));
      } else result.push({ plans: [plan], keys: new Set(keys) });
    }
    return result.map((batch) => batch.plans);
  }

  async function runFlows(plans: FlowPlan[]): Promise<void> {
    for (const batch of batches(plans)) {
      await Promise.all(
        batch.map(async (plan) => {
          const end = await connectFlow(gateway.send, gateway.zoom, plan);
          const problems = end.result === 'connected' ? await problemsAfterConnected(plan, end.connectionId) : [];
          ends.push({ plan, end, problems });
        }),
      );
    }
  }

  it('ends every one of 200 flows connected or with a named code, never an internal error', async () => {
    gateway.recall.faults = { rate: FAULT_RATE, random };
    for (let round = 0; round < ROUNDS; round++) {
      const plans = Array.from({ length: END_USERS }, (_, i): FlowPlan => {
        const { own, other } = identities(i);
        return { endUserId: endUserId(i), identity: random() < 0.75 ? own : other, apiKey: testApiKey, returnTo, deny: random() < 0.05 };
      });
      await runFlows(plans);
    }
    gateway.recall.faults = undefined;

    expect(ends).toHaveLength(END_USERS * ROUNDS);
    const codes = ends.map(({ end }) => (end.result === 'error' ? end.code : end.result));
    const endings = `${seedNote}, endings ${JSON.stringify(Object.fromEntries([...new Set(codes)].map((code) => [code, codes.filter((c) => c === code).length])))}`;
    expect(
      ends.filter(({ end }) => end.result === 'unexpected'),
      endings,
    ).toEqual([]);
    expect(
      codes.filter((code) => code === 'internal_error'),
      endings,
    ).toEqual([]);
    // Most flows get through, and the faults were felt: creates whose answer was lost after Recall acted were sent
    // again with their Idempotency-Key and got the first answer replayed, instead of a spent code.
    expect(codes.filter((code) => code === 'connected').length, endings).toBeGreaterThan(END_USERS * ROUNDS * 0.4);
    expect(gateway.recall.replays.length, endings).toBeGreaterThan(0);
    expect(gateway.logs.join('\n'), seedNote).not.toContain('"level":50');
  });

  it('injected every kind of fault, on about 30% of the calls', () => {
    const injected = gateway.recall.calls.filter((call) => typeof call.outcome === 'string');
    for (const kind of faultKinds)
      expect(
        injected.some((call) => call.outcome === kind),
        `${kind} injected`,
      ).toBe(true);
    const share = injected.length / gateway.recall.calls.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it('left each connected flow on a credential Recall has, for the identity the user signed in as', () => {
    expect(
      ends.filter(({ problems }) => problems.length > 0),
      seedNote,
    ).toEqual([]);
  });

  it('never points a connection at a credential Recall no longer has', async () => {
    const connections = await gateway.store.listConnections({ limit: 100 });
    const dangling = connections.filter((c) => c.recallCredentialId !== null && !gateway.recall.credentials.has(c.recallCredentialId));
    // No exceptions: a delete Recall carried out whose answer was lost (lostDeletes) leaves no connection on it either.
    expect(dangling, seedNote).toEqual([]);
    // A connection without a credential is one the user must reconnect, and says so.
    for (const connection of connections.filter((c) => c.recallCredentialId === null)) expect(connection.status).toBe('needs_reauth');
  });

  it('never holds two credentials for one Zoom identity, in Recall or in the store', async () => {
    // Deletes of replaced credentials that failed are owed, not forgotten: the health sync repays them (all due now).
    const due = '2999-01-01T00:00:00.000Z';
    for (const { credentialId } of await gateway.store.deletionsOwed(due, 1000)) {
      await gateway.store.transaction((tx) =>
        tx.credentials.postponeDeletion(credentialId, { nextAttemptAt: new Date().toISOString(), error: 'test' }),
      );
    }
    const silent = { info() {}, warn() {}, error() {} };
    const sync = { config: gateway.config, store: gateway.store, recall: gateway.recallApi, now: () => new Date(), log: silent };
    await settleOwedDeletions(sync, { limit: 1000 });
    expect(await gateway.store.deletionsOwed(due, 1000), seedNote).toEqual([]);

    // A Recall that keeps the old credential until deleted also keeps one whose create answer never reached the
    // gateway (every retry failed): nobody can delete what they never heard of. Of those the gateway knows (on a
    // connection, or retired by it), Recall holds one per identity.
    const onConnections = new Set((await gateway.store.listConnections({ limit: 100 })).map((c) => c.recallCredentialId));
    const known = async (id: string) => onConnections.has(id) || (await gateway.store.retiredCredential(id)) !== undefined;
    const atRecall = new Map<string, string[]>();
    for (const credential of gateway.recall.credentials.values()) {
      if (recallOptions.reauthorization === 'new_id_old_kept' && !(await known(credential.id))) continue;
      const key = gateway.recall.keyOf(credential);
      atRecall.set(key, [...(atRecall.get(key) ?? []), credential.id]);
    }
    expect(
      [...atRecall.values()].filter((ids) => ids.length > 1),
      seedNote,
    ).toEqual([]);

    // Of the credentials Recall has (a gone one is the test above's business), one per Zoom identity in the store.
    const inStore = new Map<string, Set<string>>();
    for (const connection of await gateway.store.listConnections({ limit: 100 })) {
      if (connection.recallCredentialId === null || !gateway.recall.credentials.has(connection.recallCredentialId)) continue;
      const key = gateway.recall.keyOf({ user_id: connection.zoomUserId ?? '', account_id: connection.zoomAccountId ?? '' });
      inStore.set(key, new Set([...(inStore.get(key) ?? []), connection.recallCredentialId]));
    }
    expect(
      [...inStore].filter(([, ids]) => ids.size > 1),
      seedNote,
    ).toEqual([]);
    const owners = (await gateway.store.listConnections({ limit: 100 })).map((connection) => connection.endUserId);
    expect(owners.length).toBe(new Set(owners).size);
  });

  it('connects every end user once Recall recovers', async () => {
    ends.length = 0;
    await runFlows(
      Array.from({ length: END_USERS }, (_, i) => ({ endUserId: endUserId(i), identity: identities(i).own, apiKey: testApiKey, returnTo })),
    );
    expect(
      ends.filter(({ end }) => end.result !== 'connected'),
      seedNote,
    ).toEqual([]);
    expect(
      ends.filter(({ problems }) => problems.length > 0),
      seedNote,
    ).toEqual([]);
    for (let i = 0; i < END_USERS; i++) {
      const connection = await gateway.store.getConnectionByEndUser(endUserId(i));
      expect(connection?.status).toBe('connected');
      expect(gateway.recall.credentials.has(connection!.recallCredentialId!)).toBe(true);
    }
  });
});
