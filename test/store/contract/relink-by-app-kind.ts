import { describe, expect, it } from 'vitest';
import type { CredentialSnapshot, ZoomAppKind } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { detachCredential, saveConnection } from '../../support/store-changes.js';

/**
 * A connection detached from a deleted credential comes back when someone reconnects the same Zoom identity,
 * and the identity is the app kind's id only: the Zoom user for a user-level app, the Zoom account for an
 * account-level app. Two colleagues of one Zoom account on a user-level app never share a credential.
 */
export function describeRelinkByAppKind(open: OpenStore): void {
  describe('relinking detached connections, by the app kind', () => {
    const store = useStore(open);

    /** An end user whose connection on `credential` was detached (the credential deleted at Recall). */
    async function detached(credential: CredentialSnapshot, appKind: ZoomAppKind): Promise<string> {
      const endUserId = anEndUser();
      await saveConnection(store(), aSave(endUserId, credential, { appKind }));
      await detachCredential(store(), credential.id, at(1));
      return endUserId;
    }

    async function reconnect(credential: CredentialSnapshot, appKind: ZoomAppKind): Promise<void> {
      await saveConnection(store(), aSave(anEndUser(), credential, { appKind, now: at(2) }));
    }

    const credentialOf = async (endUserId: string) => (await store().getConnectionByEndUser(endUserId))?.recallCredentialId;

    it('relinks, for an account-level app, a detached connection of the same Zoom account, whichever Zoom user signed in', async () => {
      const colleague = await detached(aCredential({ accountId: 'zoom-account-acme', userId: 'zoom-user-ada' }), 'account_level');
      const fresh = aCredential({ accountId: 'zoom-account-acme', userId: 'zoom-user-bob' });
      await reconnect(fresh, 'account_level');
      expect(await store().getConnectionByEndUser(colleague)).toMatchObject({ recallCredentialId: fresh.id, status: 'connected', updatedAt: at(2) });
    });

    it('leaves detached, for an account-level app, a connection of the same Zoom user in another Zoom account', async () => {
      const moved = await detached(aCredential({ accountId: 'zoom-account-old', userId: 'zoom-user-ada' }), 'account_level');
      await reconnect(aCredential({ accountId: 'zoom-account-new', userId: 'zoom-user-ada' }), 'account_level');
      expect(await store().getConnectionByEndUser(moved)).toMatchObject({ recallCredentialId: null, status: 'needs_reauth' });
    });

    it('relinks, for a user-level app, a detached connection of the same Zoom user', async () => {
      const same = await detached(aCredential({ userId: 'zoom-user-ada', accountId: 'zoom-account-acme' }), 'user_level');
      const fresh = aCredential({ userId: 'zoom-user-ada', accountId: 'zoom-account-acme' });
      await reconnect(fresh, 'user_level');
      expect(await credentialOf(same)).toBe(fresh.id);
    });

    it("never links, for a user-level app, a colleague of the same Zoom account to another Zoom user's credential", async () => {
      const colleague = await detached(aCredential({ userId: 'zoom-user-ada', accountId: 'zoom-account-acme' }), 'user_level');
      await reconnect(aCredential({ userId: 'zoom-user-bob', accountId: 'zoom-account-acme' }), 'user_level');
      expect(await store().getConnectionByEndUser(colleague)).toMatchObject({ recallCredentialId: null, status: 'needs_reauth' });
    });

    it('relinks nothing when the credential lacks the id of the app kind', async () => {
      const other = await detached(aCredential({ userId: null, accountId: 'zoom-account-acme' }), 'user_level');
      await reconnect(aCredential({ userId: null, accountId: 'zoom-account-acme' }), 'user_level');
      expect(await credentialOf(other)).toBeNull();
    });
  });
}
