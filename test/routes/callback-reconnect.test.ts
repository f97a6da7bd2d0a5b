// Connections share and swap Recall credentials: one credential for many end users of one Zoom account, a
// legacy conflict replacing a credential, a reconnect as another Zoom identity. Built from Prism examples whose
// credential ids differ (created 3e61f7a6-…, reauthorized_existing e96244cc-…, conflicting 15af756b-… / 54a82e28-…).
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ConnectionRecord, CredentialSnapshot } from '../../src/store/store.js';
import { useGateway, type TestGateway } from '../support/gateway.js';
import { callback, callbackFor, launch } from '../support/flow.js';
import { failNextSave, saveConnection } from '../support/store-changes.js';

const credentialsPath = '/api/v2/zoom-oauth-credentials/';
const created: CredentialSnapshot = {
  id: '3e61f7a6-1983-4b88-8a75-c5078831ee16',
  status: 'healthy',
  userId: '85bc3ZZhXp48OwjsJzJpXQ',
  accountId: null,
  meetingSyncStatus: 'not_started',
};
const existing: CredentialSnapshot = {
  id: 'e96244cc-23c8-43cf-b039-59b2526ab397',
  status: 'healthy',
  userId: '8rsd7e2S00SAsGowyy9GCQ',
  accountId: null,
  meetingSyncStatus: 'completed',
};
const conflictingAccount: CredentialSnapshot = {
  id: '15af756b-f524-4e70-8cc9-74f772d4c94c',
  status: 'unhealthy',
  userId: null,
  accountId: 'Qo2hX07epz8S0xQpWGvtVg',
  meetingSyncStatus: 'completed',
};
const conflictingUser: CredentialSnapshot = {
  id: '54a82e28-cc38-4318-aba5-09e737a2cccc',
  status: 'unhealthy',
  userId: 'nIUvkgzzrl5eiNpANtL90A',
  accountId: null,
  meetingSyncStatus: 'completed',
};

const earlier = '2026-11-01T09:00:00.000Z';

/** An end user's connection as it stood before the test's flow. */
async function connected(gateway: TestGateway, endUserId: string, credential: CredentialSnapshot): Promise<ConnectionRecord> {
  const saved = await saveConnection(gateway.store, {
    newConnectionId: crypto.randomUUID(),
    endUserId,
    credential,
    appKind: gateway.appKind,
    replacesCredentialIds: [],
    now: earlier,
  });
  return saved.connection;
}

function connectionIdOf(response: LightMyRequestResponse): string {
  expect(response.statusCode).toBe(303);
  const params = new URL(String(response.headers.location)).searchParams;
  expect(params.get('zoom_connect')).toBe('connected');
  return params.get('connection_id')!;
}

async function connect(gateway: TestGateway, endUserId: string): Promise<string> {
  const launched = await launch(gateway, { end_user_id: endUserId });
  return connectionIdOf(await callbackFor(gateway, launched));
}

const operations = (gateway: TestGateway) => gateway.recall.calls.map((call) => call.operation);
const deletedIds = (gateway: TestGateway) =>
  gateway.recall.calls.filter((call) => call.operation === 'delete').map((call) => call.path.slice(credentialsPath.length, -1));
const rows = (gateway: TestGateway) => gateway.store.listConnections({ limit: 100 });
const onCredential = async (gateway: TestGateway, credentialId: string) =>
  (await rows(gateway))
    .filter((row) => row.recallCredentialId === credentialId)
    .map((row) => row.endUserId)
    .sort();

describe('connections sharing and replacing Recall credentials', () => {
  // Sharing one credential is what an account-level app does (and the conflict_account story is one).
  const gateway = useGateway({}, { appKind: 'account_level' });

  describe('one credential for several end users', () => {
    it('links two end users whose creates return the same credential to it: one credential, two rows', async () => {
      gateway.recall.prefer('create', 'code=200, example=reauthorized_existing', 'code=200, example=reauthorized_existing');
      const first = await connect(gateway, 'user_42');
      const second = await connect(gateway, 'user_43');
      expect(first).not.toBe(second);
      expect(await onCredential(gateway, existing.id)).toEqual(['user_42', 'user_43']);
      expect(await rows(gateway)).toHaveLength(2);
      expect(operations(gateway)).toEqual(['create', 'create']);
    });

    it('never deletes a shared credential when one of its users reconnects onto it', async () => {
      await connected(gateway, 'user_43', existing);
      gateway.recall.prefer('create', 'code=200, example=reauthorized_existing');
      await connect(gateway, 'user_42');
      expect(await onCredential(gateway, existing.id)).toEqual(['user_42', 'user_43']);
      expect(deletedIds(gateway)).toEqual([]);
    });
  });

  describe('a legacy conflict replaces a credential', () => {
    it('moves every connection that pointed at the conflicting credential to the new one (conflict_account)', async () => {
      const colleagues = [await connected(gateway, 'user_7', conflictingAccount), await connected(gateway, 'user_8', conflictingAccount)];
      const bystander = await connected(gateway, 'user_9', existing);
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      await connect(gateway, 'user_42');
      expect(deletedIds(gateway)).toEqual([conflictingAccount.id]);
      expect(await onCredential(gateway, conflictingAccount.id)).toEqual([]);
      expect(await onCredential(gateway, created.id)).toEqual(['user_42', 'user_7', 'user_8']);
      for (const colleague of colleagues) {
        expect(await gateway.store.getConnection(colleague.id)).toMatchObject({
          id: colleague.id,
          status: 'connected',
          recallStatus: 'healthy',
          recallCredentialId: created.id,
        });
      }
      expect(await gateway.store.getConnection(bystander.id)).toEqual(bystander);
    });

    it("deletes the conflicting credential once when it was the end user's own: no second delete after the save", async () => {
      const before = await connected(gateway, 'user_42', conflictingAccount);
      await connected(gateway, 'user_7', conflictingAccount);
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const connectionId = await connect(gateway, 'user_42');
      expect(connectionId).toBe(before.id);
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create']);
      expect(await onCredential(gateway, created.id)).toEqual(['user_42', 'user_7']);
    });

    it('detaches (needs_reauth, no credential) the connections of a deleted credential when the second create fails', async () => {
      const colleague = await connected(gateway, 'user_7', conflictingAccount);
      gateway.recall.prefer('create', 'code=400, example=conflict_account', ...Array(4).fill('code=503'));
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      const response = await callbackFor(gateway, launched);
      expect(new URL(String(response.headers.location)).searchParams.get('error')).toBe('recall_unavailable');
      expect(await gateway.store.getConnection(colleague.id)).toMatchObject({
        status: 'needs_reauth',
        recallCredentialId: null,
        recallStatus: null,
        zoomAccountId: conflictingAccount.accountId,
      });
      expect(await onCredential(gateway, conflictingAccount.id)).toEqual([]);
      expect(await gateway.store.getConnectionByEndUser('user_42')).toBeUndefined();
    });

    it('detaches the connections of the deleted credential when the new connection cannot be saved', async () => {
      const colleague = await connected(gateway, 'user_7', conflictingAccount);
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      failNextSave(gateway.store, new Error('database is locked'));
      const response = await callbackFor(gateway, launched);
      expect(new URL(String(response.headers.location)).searchParams.get('error')).toBe('internal_error');
      expect(await gateway.store.getConnection(colleague.id)).toMatchObject({ status: 'needs_reauth', recallCredentialId: null });
      expect(await onCredential(gateway, conflictingAccount.id)).toEqual([]);
    });

    it('leaves no connection on the deleted credential while the browser goes through Zoom again', async () => {
      const colleague = await connected(gateway, 'user_7', conflictingAccount);
      const own = await connected(gateway, 'user_42', conflictingAccount);
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      expect((await callbackFor(gateway, launched)).statusCode).toBe(302);
      expect(await onCredential(gateway, conflictingAccount.id)).toEqual([]);
      for (const connection of [colleague, own]) {
        expect(await gateway.store.getConnection(connection.id)).toMatchObject({ status: 'needs_reauth', recallCredentialId: null });
      }
    });

    it("relinks the end user's own detached connection when the restarted flow connects", async () => {
      const own = await connected(gateway, 'user_42', conflictingAccount);
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      const restart = await callbackFor(gateway, launched);
      const state = new URL(String(restart.headers.location)).searchParams.get('state')!;
      const cookie = restart.cookies.find((c) => c.value !== '')!;
      const connectionId = connectionIdOf(await callback(gateway, { code: 'fresh-code', state }, { [cookie.name]: cookie.value }));
      expect(connectionId).toBe(own.id);
      expect(await gateway.store.getConnection(own.id)).toMatchObject({ status: 'connected', recallCredentialId: created.id });
      expect(deletedIds(gateway)).toEqual([conflictingAccount.id]);
    });
  });

  describe('a reconnect as a different Zoom identity', () => {
    it('relinks the connection to the new credential and deletes the old one at Recall when nobody else uses it', async () => {
      const before = await connected(gateway, 'user_42', existing);
      gateway.recall.prefer('create', 'code=201, example=created');
      const connectionId = await connect(gateway, 'user_42');
      expect(connectionId).toBe(before.id);
      expect(await rows(gateway)).toEqual([
        expect.objectContaining({ id: before.id, recallCredentialId: created.id, zoomUserId: created.userId, status: 'connected' }),
      ]);
      expect(operations(gateway)).toEqual(['create', 'delete']);
      expect(deletedIds(gateway)).toEqual([existing.id]);
    });

    it('relinks the connection but keeps the old credential at Recall while another connection still uses it', async () => {
      const before = await connected(gateway, 'user_42', existing);
      const other = await connected(gateway, 'user_43', existing);
      gateway.recall.prefer('create', 'code=201, example=created');
      const connectionId = await connect(gateway, 'user_42');
      expect(connectionId).toBe(before.id);
      expect(await gateway.store.getConnection(before.id)).toMatchObject({ recallCredentialId: created.id });
      expect(await gateway.store.getConnection(other.id)).toEqual(other);
      expect(operations(gateway)).toEqual(['create']);
    });

    it('still connects when the old credential cannot be deleted at Recall', async () => {
      const before = await connected(gateway, 'user_42', existing);
      gateway.recall.prefer('create', 'code=201, example=created');
      gateway.recall.prefer('delete', 'code=401');
      const connectionId = await connect(gateway, 'user_42');
      expect(await gateway.store.getConnection(connectionId)).toMatchObject({ id: before.id, recallCredentialId: created.id });
      expect(operations(gateway)).toEqual(['create', 'delete']);
    });
  });
});

describe('a legacy conflict on a user-level app', () => {
  const gateway = useGateway({}, { appKind: 'user_level' });

  it('moves the connections of the conflicting credential to the new one (conflict_user)', async () => {
    await connected(gateway, 'user_7', conflictingUser);
    gateway.recall.prefer('create', 'code=400, example=conflict_user', 'code=201, example=created');
    gateway.recall.prefer('list', 'code=200, example=conflicting_user_page');
    await connect(gateway, 'user_42');
    expect(await onCredential(gateway, conflictingUser.id)).toEqual([]);
    expect(await onCredential(gateway, created.id)).toEqual(['user_42', 'user_7']);
  });
});

describe('a re-authorization that Recall answers with another credential id (reauthorized_new_id)', () => {
  // The Prism story: Zoom user 8rsd7e2S00SAsGowyy9GCQ had credential e96244cc-… and gets b4f0c3d2-… (user-level app).
  const gateway = useGateway({}, { appKind: 'user_level' });
  const renewedId = 'b4f0c3d2-6a1e-4f3b-9c8d-2e7a5b1f9d04';

  it.each(['201', '200'])('moves every connection on the old credential to the new one and deletes the old one at Recall (%s)', async (status) => {
    const own = await connected(gateway, 'user_42', existing);
    const sameZoomUser = await connected(gateway, 'user_43', existing);
    const bystander = await connected(gateway, 'user_44', created);
    gateway.recall.prefer('create', `code=${status}, example=reauthorized_new_id`);
    const connectionId = await connect(gateway, 'user_42');
    expect(connectionId).toBe(own.id);
    expect(await onCredential(gateway, existing.id)).toEqual([]);
    expect(await onCredential(gateway, renewedId)).toEqual(['user_42', 'user_43']);
    expect(await gateway.store.getConnection(sameZoomUser.id)).toMatchObject({
      status: 'connected',
      recallStatus: 'healthy',
      zoomUserId: existing.userId,
    });
    expect(await gateway.store.getConnection(bystander.id)).toEqual(bystander);
    expect(operations(gateway)).toEqual(['create', 'delete']);
    expect(deletedIds(gateway)).toEqual([existing.id]);
    // Recall confirmed it gone: retired, nothing owed, and no late callback can save onto it.
    expect(await gateway.store.retiredCredential(existing.id)).toMatchObject({ deletionOwed: false });
  });

  it('moves them when another end user connects the same Zoom user, too', async () => {
    await connected(gateway, 'user_43', existing);
    gateway.recall.prefer('create', 'code=201, example=reauthorized_new_id');
    await connect(gateway, 'user_50');
    expect(await onCredential(gateway, renewedId)).toEqual(['user_43', 'user_50']);
    expect(deletedIds(gateway)).toEqual([existing.id]);
  });

  it('takes a 404 of the delete as the old credential already gone', async () => {
    await connected(gateway, 'user_42', existing);
    gateway.recall.prefer('create', 'code=201, example=reauthorized_new_id');
    gateway.recall.prefer('delete', 'code=404, example=not_found');
    await connect(gateway, 'user_42');
    expect(await onCredential(gateway, renewedId)).toEqual(['user_42']);
    expect(await gateway.store.retiredCredential(existing.id)).toMatchObject({ deletionOwed: false });
    expect(gateway.logs.join('\n')).not.toContain('could not delete a retired Recall credential');
  });

  it('still connects when the old credential cannot be deleted, and owes the delete (no connection left on it)', async () => {
    await connected(gateway, 'user_42', existing);
    gateway.recall.prefer('create', 'code=201, example=reauthorized_new_id');
    gateway.recall.prefer('delete', ...Array(4).fill('code=503'));
    await connect(gateway, 'user_42');
    expect(await onCredential(gateway, existing.id)).toEqual([]);
    expect(await onCredential(gateway, renewedId)).toEqual(['user_42']);
    expect(await gateway.store.retiredCredential(existing.id)).toMatchObject({ deletionOwed: true });
    expect(await gateway.store.deletionsOwed('2999-01-01T00:00:00.000Z', 10)).toEqual([{ credentialId: existing.id, attempts: 1 }]);
    expect(gateway.logs.join('\n')).toContain('could not delete a retired Recall credential; will retry');
  });

  it('updates in place, deleting nothing, when Recall answers with the same id (reauthorized_existing)', async () => {
    const own = await connected(gateway, 'user_42', { ...existing, status: 'unhealthy' });
    gateway.recall.prefer('create', 'code=200, example=reauthorized_existing');
    expect(await connect(gateway, 'user_42')).toBe(own.id);
    expect(await gateway.store.getConnection(own.id)).toMatchObject({ recallCredentialId: existing.id, status: 'connected' });
    expect(operations(gateway)).toEqual(['create']);
    expect(await gateway.store.retiredCredential(existing.id)).toBeUndefined();
  });
});
