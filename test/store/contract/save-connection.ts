import { describe, expect, it } from 'vitest';
import { CredentialSupersededError } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { detachCredential, saveConnection } from '../../support/store-changes.js';

export function describeSaveConnection(open: OpenStore): void {
  describe('saving a connection', () => {
    const store = useStore(open);

    it('creates a connection for an end user who had none, with the credential as Recall described it', async () => {
      const endUserId = anEndUser();
      const credential = aCredential({ meetingSyncStatus: 'in_progress' });
      const save = aSave(endUserId, credential, { now: at(5) });
      const result = await saveConnection(store(), save);
      expect(result).toEqual({
        created: true,
        previous: undefined,
        moved: [],
        replacedCredentialIds: [],
        previousCredentialId: null,
        previousCredentialStillUsed: false,
        connection: {
          id: save.newConnectionId,
          endUserId,
          status: 'connected',
          recallCredentialId: credential.id,
          recallStatus: 'healthy',
          zoomUserId: credential.userId,
          zoomAccountId: credential.accountId,
          meetingSyncStatus: 'in_progress',
          createdAt: at(5),
          updatedAt: at(5),
          lastCheckedAt: at(5),
          reauthReason: null,
        },
      });
      expect(await store().getConnectionByEndUser(endUserId)).toEqual(result.connection);
    });

    it('updates the end user connection on reconnect, keeping its id and creation time', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      const first = await saveConnection(store(), aSave(endUserId, credential, { now: at(0) }));
      const again = await saveConnection(store(), aSave(endUserId, credential, { now: at(9) }));
      expect(again.created).toBe(false);
      expect(again.connection).toEqual({ ...first.connection, updatedAt: at(9), lastCheckedAt: at(9) });
    });

    it('marks the connection needs_reauth when the credential is unhealthy', async () => {
      const result = await saveConnection(store(), aSave(anEndUser(), aCredential({ status: 'unhealthy' })));
      expect(result.connection.status).toBe('needs_reauth');
      expect(result.connection.recallStatus).toBe('unhealthy');
    });

    it('reports no previous credential when the end user reconnects with the same one', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      await saveConnection(store(), aSave(endUserId, credential));
      const again = await saveConnection(store(), aSave(endUserId, credential, { now: at(1) }));
      expect(again.previousCredentialId).toBeNull();
      expect(again.previousCredentialStillUsed).toBe(false);
    });

    it('reports the previous credential as unused after an identity change when nobody shared it', async () => {
      const endUserId = anEndUser();
      const before = aCredential();
      await saveConnection(store(), aSave(endUserId, before));
      const after = await saveConnection(store(), aSave(endUserId, aCredential(), { now: at(1) }));
      expect(after.previousCredentialId).toBe(before.id);
      expect(after.previousCredentialStillUsed).toBe(false);
    });

    it('reports the previous credential as still used when another end user shares it', async () => {
      const endUserId = anEndUser();
      const shared = aCredential();
      await saveConnection(store(), aSave(endUserId, shared));
      await saveConnection(store(), aSave(anEndUser(), shared));
      const after = await saveConnection(store(), aSave(endUserId, aCredential(), { now: at(1) }));
      expect(after.previousCredentialId).toBe(shared.id);
      expect(after.previousCredentialStillUsed).toBe(true);
    });

    it('moves every connection on a replaced credential to the new one in the same save', async () => {
      const legacy = aCredential();
      const colleague = anEndUser();
      await saveConnection(store(), aSave(colleague, legacy, { now: at(0) }));
      const replacement = aCredential({ status: 'unhealthy' });
      const save = aSave(anEndUser(), replacement, { replacesCredentialIds: [legacy.id], now: at(7) });
      await saveConnection(store(), save);
      const moved = await store().getConnectionByEndUser(colleague);
      expect(moved).toMatchObject({
        recallCredentialId: replacement.id,
        recallStatus: 'unhealthy',
        status: 'needs_reauth',
        zoomAccountId: replacement.accountId,
        updatedAt: at(7),
      });
      expect(await store().countCredentialUsers(legacy.id)).toBe(0);
    });

    it('reports a replaced previous credential as unused once its other users moved', async () => {
      const endUserId = anEndUser();
      const legacy = aCredential();
      await saveConnection(store(), aSave(endUserId, legacy));
      await saveConnection(store(), aSave(anEndUser(), legacy));
      const save = aSave(endUserId, aCredential(), { replacesCredentialIds: [legacy.id], now: at(1) });
      const result = await saveConnection(store(), save);
      expect(result.previousCredentialId).toBe(legacy.id);
      expect(result.previousCredentialStillUsed).toBe(false);
    });

    it('leaves a detached connection of another Zoom identity detached', async () => {
      const detachedUser = anEndUser();
      const old = aCredential();
      await saveConnection(store(), aSave(detachedUser, old));
      await detachCredential(store(), old.id, at(1));
      await saveConnection(store(), aSave(anEndUser(), aCredential(), { now: at(2) }));
      expect(await store().getConnectionByEndUser(detachedUser)).toMatchObject({
        recallCredentialId: null,
        status: 'needs_reauth',
      });
    });
    it('reports the end user connection as it was before a reconnect', async () => {
      const endUserId = anEndUser();
      const first = await saveConnection(store(), aSave(endUserId, aCredential(), { now: at(0) }));
      const again = await saveConnection(store(), aSave(endUserId, aCredential(), { now: at(3) }));
      expect(again.previous).toEqual(first.connection);
    });
  });

  describe('saving a credential Recall gave a Zoom identity that connections hold under another id', () => {
    const store = useStore(open);
    const acme = (createdAt: string | null) => aCredential({ accountId: 'zoom-account-acme', createdAt });

    it('moves every connection on the old credential to the new one, and names the old one replaced', async () => {
      const old = acme('2025-03-04T10:15:22.481516Z');
      const [own, colleague] = [anEndUser(), anEndUser()];
      await saveConnection(store(), aSave(own, old, { now: at(0) }));
      const before = (await saveConnection(store(), aSave(colleague, old, { now: at(0) }))).connection;
      const bystander = (await saveConnection(store(), aSave(anEndUser(), aCredential(), { now: at(0) }))).connection;
      const renewed = acme('2025-07-02T09:41:17.330218Z');
      const result = await saveConnection(store(), aSave(own, renewed, { now: at(4) }));
      expect(result.replacedCredentialIds).toEqual([old.id]);
      expect(result.previousCredentialId).toBe(old.id);
      expect(result.previousCredentialStillUsed).toBe(false);
      expect(result.moved).toEqual([
        { before, after: { ...before, recallCredentialId: renewed.id, zoomUserId: renewed.userId, updatedAt: at(4), lastCheckedAt: at(4) } },
      ]);
      expect(await store().countCredentialUsers(old.id)).toBe(0);
      expect(await store().countCredentialUsers(renewed.id)).toBe(2);
      expect(await store().getConnection(bystander.id)).toEqual(bystander);
    });

    it('replaces the old credential when a new end user connects the identity, too', async () => {
      const old = acme(null);
      const holder = anEndUser();
      await saveConnection(store(), aSave(holder, old, { now: at(0) }));
      const renewed = acme(null);
      const result = await saveConnection(store(), aSave(anEndUser(), renewed, { now: at(1) }));
      expect(result.replacedCredentialIds).toEqual([old.id]);
      expect(await store().getConnectionByEndUser(holder)).toMatchObject({ recallCredentialId: renewed.id, status: 'connected' });
    });

    it('matches the identity by the app kind: a user-level app moves the same Zoom user only', async () => {
      const old = aCredential({ userId: 'zoom-user-ada', accountId: 'zoom-account-acme' });
      const colleagueCredential = aCredential({ userId: 'zoom-user-bob', accountId: 'zoom-account-acme' });
      const [ada, bob] = [anEndUser(), anEndUser()];
      await saveConnection(store(), aSave(ada, old, { appKind: 'user_level' }));
      await saveConnection(store(), aSave(bob, colleagueCredential, { appKind: 'user_level' }));
      const renewed = aCredential({ userId: 'zoom-user-ada', accountId: 'zoom-account-acme' });
      const result = await saveConnection(store(), aSave(anEndUser(), renewed, { appKind: 'user_level', now: at(1) }));
      expect(result.replacedCredentialIds).toEqual([old.id]);
      expect(await store().getConnectionByEndUser(ada)).toMatchObject({ recallCredentialId: renewed.id });
      expect(await store().getConnectionByEndUser(bob)).toMatchObject({ recallCredentialId: colleagueCredential.id });
    });

    it('refuses, writing nothing, a credential older than the one the identity is held under (a stale answer)', async () => {
      const newer = acme('2025-07-02T09:41:17.330218Z');
      const holder = (await saveConnection(store(), aSave(anEndUser(), newer, { now: at(0) }))).connection;
      const stale = acme('2025-03-04T10:15:22.481516Z');
      const endUserId = anEndUser();
      const error = await saveConnection(store(), aSave(endUserId, stale, { now: at(1) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialSupersededError);
      expect(error).toMatchObject({ credentialId: stale.id, currentCredentialId: newer.id });
      expect(await store().getConnectionByEndUser(endUserId)).toBeUndefined();
      expect(await store().getConnection(holder.id)).toEqual(holder);
    });

    it('leaves the identity alone when the credential carries no id of the app kind', async () => {
      const old = aCredential({ accountId: null });
      const holder = (await saveConnection(store(), aSave(anEndUser(), old))).connection;
      const result = await saveConnection(store(), aSave(anEndUser(), aCredential({ accountId: null }), { now: at(1) }));
      expect(result.replacedCredentialIds).toEqual([]);
      expect(await store().getConnection(holder.id)).toEqual(holder);
    });
  });
}
