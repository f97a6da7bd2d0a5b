import { describe, expect, it } from 'vitest';
import { CredentialDeletedError } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { detachCredential, recordCredentialDeleted, saveAndAnnounce, saveConnection } from '../../support/store-changes.js';

export function describeDeletedCredentials(open: OpenStore): void {
  describe('credentials deleted at Recall (tombstones)', () => {
    const store = useStore(open);

    it('refuses to save a connection onto a credential recorded deleted, and writes nothing', async () => {
      const endUserId = anEndUser();
      const deleted = aCredential();
      await recordCredentialDeleted(store(), deleted.id, at(1));
      await expect(saveAndAnnounce(store(), aSave(endUserId, deleted, { now: at(2) }))).rejects.toBeInstanceOf(CredentialDeletedError);
      expect(await store().getConnectionByEndUser(endUserId)).toBeUndefined();
      expect(await store().listConnections({ limit: 10 })).toEqual([]);
      expect((await store().outboxBacklog()).pending).toBe(0);
    });

    it('names the refused credential', async () => {
      const deleted = aCredential();
      await recordCredentialDeleted(store(), deleted.id, at(1));
      const error = await saveConnection(store(), aSave(anEndUser(), deleted)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialDeletedError);
      expect((error as CredentialDeletedError).credentialId).toBe(deleted.id);
    });

    it('leaves an existing connection, and the ones it would have moved or relinked, as they were', async () => {
      const endUserId = anEndUser();
      const sharer = anEndUser();
      const detachedUser = anEndUser();
      // Other Zoom accounts: of two credentials of one Zoom account, the later save replaces the earlier one.
      const current = aCredential({ accountId: 'zoom-account-own' });
      const replaced = aCredential({ accountId: 'zoom-account-sharer' });
      const detachedOld = aCredential({ accountId: 'zoom-account-acme' });
      const own = await saveConnection(store(), aSave(endUserId, current, { now: at(0) }));
      const shared = await saveConnection(store(), aSave(sharer, replaced, { now: at(0) }));
      await saveConnection(store(), aSave(detachedUser, detachedOld, { now: at(0) }));
      await detachCredential(store(), detachedOld.id, at(1));
      const detached = await store().getConnectionByEndUser(detachedUser);

      const deleted = aCredential({ accountId: 'zoom-account-acme' });
      await recordCredentialDeleted(store(), deleted.id, at(2));
      await expect(saveAndAnnounce(store(), aSave(endUserId, deleted, { replacesCredentialIds: [replaced.id], now: at(3) }))).rejects.toBeInstanceOf(
        CredentialDeletedError,
      );

      expect(await store().getConnectionByEndUser(endUserId)).toEqual(own.connection);
      expect(await store().getConnectionByEndUser(sharer)).toEqual(shared.connection);
      expect(await store().getConnectionByEndUser(detachedUser)).toEqual(detached);
      expect((await store().outboxBacklog()).pending).toBe(0);
    });

    it('records a deletion twice without complaint, and still refuses the credential', async () => {
      const deleted = aCredential();
      await recordCredentialDeleted(store(), deleted.id, at(1));
      await recordCredentialDeleted(store(), deleted.id, at(2));
      await expect(saveConnection(store(), aSave(anEndUser(), deleted))).rejects.toBeInstanceOf(CredentialDeletedError);
    });

    it('saves other credentials as before', async () => {
      await recordCredentialDeleted(store(), aCredential().id, at(1));
      const endUserId = anEndUser();
      const fresh = aCredential();
      const result = await saveConnection(store(), aSave(endUserId, fresh, { now: at(2) }));
      expect(result.created).toBe(true);
      expect((await store().getConnectionByEndUser(endUserId))?.recallCredentialId).toBe(fresh.id);
    });
    it('tells a retired credential apart, and whether its delete at Recall is still owed', async () => {
      const [gone, owed] = [aCredential(), aCredential()];
      await recordCredentialDeleted(store(), gone.id, at(1));
      await store().transaction((tx) => tx.credentials.retire(owed.id, at(2), { deletionOwed: true }));
      expect(await store().retiredCredential(gone.id)).toEqual({ retiredAt: at(1), deletionOwed: false });
      expect(await store().retiredCredential(owed.id)).toEqual({ retiredAt: at(2), deletionOwed: true });
      expect(await store().retiredCredential(aCredential().id)).toBeUndefined();
      await expect(saveConnection(store(), aSave(anEndUser(), owed))).rejects.toBeInstanceOf(CredentialDeletedError);
    });

    it('lists an owed delete until it is settled, oldest first, and holds a postponed one until its time', async () => {
      const [first, second] = [aCredential(), aCredential()];
      await store().transaction(async (tx) => {
        await tx.credentials.retire(second.id, at(2), { deletionOwed: true });
        await tx.credentials.retire(first.id, at(1), { deletionOwed: true });
      });
      expect(await store().deletionsOwed(at(3), 10)).toEqual([
        { credentialId: first.id, attempts: 0 },
        { credentialId: second.id, attempts: 0 },
      ]);
      expect(await store().deletionsOwed(at(3), 1)).toHaveLength(1);
      await store().transaction((tx) => tx.credentials.postponeDeletion(first.id, { nextAttemptAt: at(10), error: 'recall_unavailable' }));
      expect(await store().deletionsOwed(at(3), 10)).toEqual([{ credentialId: second.id, attempts: 0 }]);
      expect(await store().deletionsOwed(at(10), 10)).toEqual([
        { credentialId: first.id, attempts: 1 },
        { credentialId: second.id, attempts: 0 },
      ]);
      await store().transaction((tx) => tx.credentials.settleDeletion(second.id));
      expect(await store().deletionsOwed(at(10), 10)).toEqual([{ credentialId: first.id, attempts: 1 }]);
      expect(await store().retiredCredential(second.id)).toEqual({ retiredAt: at(2), deletionOwed: false });
    });

    it('rolls a retirement back with the rest of its unit of work', async () => {
      const credential = aCredential();
      await expect(
        store().transaction(async (tx) => {
          await tx.credentials.retire(credential.id, at(1), { deletionOwed: true });
          throw new Error('the unit of work failed');
        }),
      ).rejects.toThrow('the unit of work failed');
      expect(await store().retiredCredential(credential.id)).toBeUndefined();
      expect(await store().deletionsOwed(at(2), 10)).toEqual([]);
    });
  });
}
