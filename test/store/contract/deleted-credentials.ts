import { describe, expect, it } from 'vitest';
import { CredentialDeletedError, type Store } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore } from './fixtures.js';

export function describeDeletedCredentials(open: () => Promise<Store>): void {
  describe('credentials deleted at Recall (tombstones)', () => {
    const store = useStore(open);

    it('refuses to save a connection onto a credential recorded deleted, and writes nothing', async () => {
      const endUserId = anEndUser();
      const deleted = aCredential();
      await store().recordCredentialDeleted(deleted.id, at(1));
      await expect(store().saveConnection(aSave(endUserId, deleted, { now: at(2), recordEvents: true }))).rejects.toBeInstanceOf(
        CredentialDeletedError,
      );
      expect(await store().getConnectionByEndUser(endUserId)).toBeUndefined();
      expect(await store().listConnections({ limit: 10 })).toEqual([]);
      expect((await store().outboxBacklog()).pending).toBe(0);
    });

    it('names the refused credential', async () => {
      const deleted = aCredential();
      await store().recordCredentialDeleted(deleted.id, at(1));
      const error = await store()
        .saveConnection(aSave(anEndUser(), deleted))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialDeletedError);
      expect((error as CredentialDeletedError).credentialId).toBe(deleted.id);
    });

    it('leaves an existing connection, and the ones it would have moved or relinked, as they were', async () => {
      const endUserId = anEndUser();
      const sharer = anEndUser();
      const detachedUser = anEndUser();
      const current = aCredential({ accountId: 'zoom-account-acme' });
      const replaced = aCredential({ accountId: 'zoom-account-acme' });
      const detachedOld = aCredential({ accountId: 'zoom-account-acme' });
      const own = await store().saveConnection(aSave(endUserId, current, { now: at(0) }));
      const shared = await store().saveConnection(aSave(sharer, replaced, { now: at(0) }));
      await store().saveConnection(aSave(detachedUser, detachedOld, { now: at(0) }));
      await store().detachCredential(detachedOld.id, at(1));
      const detached = await store().getConnectionByEndUser(detachedUser);

      const deleted = aCredential({ accountId: 'zoom-account-acme' });
      await store().recordCredentialDeleted(deleted.id, at(2));
      await expect(
        store().saveConnection(aSave(endUserId, deleted, { replacesCredentialIds: [replaced.id], now: at(3), recordEvents: true })),
      ).rejects.toBeInstanceOf(CredentialDeletedError);

      expect(await store().getConnectionByEndUser(endUserId)).toEqual(own.connection);
      expect(await store().getConnectionByEndUser(sharer)).toEqual(shared.connection);
      expect(await store().getConnectionByEndUser(detachedUser)).toEqual(detached);
      expect((await store().outboxBacklog()).pending).toBe(0);
    });

    it('records a deletion twice without complaint, and still refuses the credential', async () => {
      const deleted = aCredential();
      await store().recordCredentialDeleted(deleted.id, at(1));
      await store().recordCredentialDeleted(deleted.id, at(2));
      await expect(store().saveConnection(aSave(anEndUser(), deleted))).rejects.toBeInstanceOf(CredentialDeletedError);
    });

    it('saves other credentials as before', async () => {
      await store().recordCredentialDeleted(aCredential().id, at(1));
      const endUserId = anEndUser();
      const fresh = aCredential();
      const result = await store().saveConnection(aSave(endUserId, fresh, { now: at(2) }));
      expect(result.created).toBe(true);
      expect((await store().getConnectionByEndUser(endUserId))?.recallCredentialId).toBe(fresh.id);
    });
  });
}
