import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore } from './fixtures.js';

export function describeSaveConnection(open: () => Promise<Store>): void {
  describe('saving a connection', () => {
    const store = useStore(open);

    it('creates a connection for an end user who had none, with the credential as Recall described it', async () => {
      const endUserId = anEndUser();
      const credential = aCredential({ meetingSyncStatus: 'in_progress' });
      const save = aSave(endUserId, credential, { now: at(5) });
      const result = await store().saveConnection(save);
      expect(result).toEqual({
        created: true,
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
      const first = await store().saveConnection(aSave(endUserId, credential, { now: at(0) }));
      const again = await store().saveConnection(aSave(endUserId, credential, { now: at(9) }));
      expect(again.created).toBe(false);
      expect(again.connection).toEqual({ ...first.connection, updatedAt: at(9), lastCheckedAt: at(9) });
    });

    it('marks the connection needs_reauth when the credential is unhealthy', async () => {
      const result = await store().saveConnection(aSave(anEndUser(), aCredential({ status: 'unhealthy' })));
      expect(result.connection.status).toBe('needs_reauth');
      expect(result.connection.recallStatus).toBe('unhealthy');
    });

    it('reports no previous credential when the end user reconnects with the same one', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      await store().saveConnection(aSave(endUserId, credential));
      const again = await store().saveConnection(aSave(endUserId, credential, { now: at(1) }));
      expect(again.previousCredentialId).toBeNull();
      expect(again.previousCredentialStillUsed).toBe(false);
    });

    it('reports the previous credential as unused after an identity change when nobody shared it', async () => {
      const endUserId = anEndUser();
      const before = aCredential();
      await store().saveConnection(aSave(endUserId, before));
      const after = await store().saveConnection(aSave(endUserId, aCredential(), { now: at(1) }));
      expect(after.previousCredentialId).toBe(before.id);
      expect(after.previousCredentialStillUsed).toBe(false);
    });

    it('reports the previous credential as still used when another end user shares it', async () => {
      const endUserId = anEndUser();
      const shared = aCredential();
      await store().saveConnection(aSave(endUserId, shared));
      await store().saveConnection(aSave(anEndUser(), shared));
      const after = await store().saveConnection(aSave(endUserId, aCredential(), { now: at(1) }));
      expect(after.previousCredentialId).toBe(shared.id);
      expect(after.previousCredentialStillUsed).toBe(true);
    });

    it('moves every connection on a replaced credential to the new one in the same save', async () => {
      const legacy = aCredential();
      const colleague = anEndUser();
      await store().saveConnection(aSave(colleague, legacy, { now: at(0) }));
      const replacement = aCredential({ status: 'unhealthy' });
      const save = aSave(anEndUser(), replacement, { replacesCredentialIds: [legacy.id], now: at(7) });
      await store().saveConnection(save);
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
      await store().saveConnection(aSave(endUserId, legacy));
      await store().saveConnection(aSave(anEndUser(), legacy));
      const save = aSave(endUserId, aCredential(), { replacesCredentialIds: [legacy.id], now: at(1) });
      const result = await store().saveConnection(save);
      expect(result.previousCredentialId).toBe(legacy.id);
      expect(result.previousCredentialStillUsed).toBe(false);
    });

    it('leaves a detached connection of another Zoom identity detached', async () => {
      const detachedUser = anEndUser();
      const old = aCredential();
      await store().saveConnection(aSave(detachedUser, old));
      await store().detachCredential(old.id, at(1));
      await store().saveConnection(aSave(anEndUser(), aCredential(), { now: at(2) }));
      expect(await store().getConnectionByEndUser(detachedUser)).toMatchObject({
        recallCredentialId: null,
        status: 'needs_reauth',
      });
    });
  });
}
