import { CREDENTIAL_GONE } from '../../../src/store/connections.js';
import { describe, expect, it } from 'vitest';
import type { CredentialSnapshot } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { deleteConnection, detachCredential, recordCredentialHealth, saveConnection } from '../../support/store-changes.js';

export function describeCredentialSharing(open: OpenStore): void {
  describe('connections sharing a credential', () => {
    const store = useStore(open);

    async function connect(credential: CredentialSnapshot, now = at(0)) {
      return (await saveConnection(store(), aSave(anEndUser(), credential, { now }))).connection;
    }

    it('counts every connection that points at a credential', async () => {
      const shared = aCredential();
      await connect(shared);
      await connect(shared);
      await connect(aCredential());
      expect(await store().countCredentialUsers(shared.id)).toBe(2);
    });

    it('leaves the excepted connection out of the count', async () => {
      const shared = aCredential();
      const mine = await connect(shared);
      await connect(shared);
      expect(await store().countCredentialUsers(shared.id, mine.id)).toBe(1);
    });

    it('detaches a deleted credential from every connection that used it, and only from those', async () => {
      const deleted = aCredential();
      const first = await connect(deleted);
      await connect(deleted);
      const other = await connect(aCredential());
      expect(await detachCredential(store(), deleted.id, at(4))).toBe(2);
      expect(await store().getConnection(first.id)).toEqual({
        ...first,
        recallCredentialId: null,
        recallStatus: null,
        status: 'needs_reauth',
        reauthReason: CREDENTIAL_GONE,
        updatedAt: at(4),
      });
      expect(await store().getConnection(other.id)).toEqual(other);
    });

    it('turns every connection on a credential Recall calls unhealthy into needs_reauth', async () => {
      const shared = aCredential();
      await connect(shared);
      await connect(shared);
      const update = { recallStatus: 'unhealthy', meetingSyncStatus: 'failed', checkedAt: at(6) } as const;
      const updated = await recordCredentialHealth(store(), shared.id, update);
      expect(updated).toHaveLength(2);
      for (const connection of updated) {
        expect(connection).toMatchObject({
          status: 'needs_reauth',
          recallStatus: 'unhealthy',
          meetingSyncStatus: 'failed',
          lastCheckedAt: at(6),
          updatedAt: at(6),
        });
      }
    });

    it('turns a needs_reauth connection back into connected when Recall calls its credential healthy', async () => {
      const credential = aCredential({ status: 'unhealthy' });
      const connection = await connect(credential);
      const update = { recallStatus: 'healthy', meetingSyncStatus: 'completed', checkedAt: at(6) } as const;
      await recordCredentialHealth(store(), credential.id, update);
      expect(await store().getConnection(connection.id)).toMatchObject({
        status: 'connected',
        recallStatus: 'healthy',
        updatedAt: at(6),
      });
    });

    it('records a health check that changes no status without touching updated_at', async () => {
      const credential = aCredential({ meetingSyncStatus: 'in_progress' });
      const connection = await connect(credential, at(0));
      const update = { recallStatus: 'healthy', meetingSyncStatus: 'completed', checkedAt: at(6) } as const;
      const [updated] = await recordCredentialHealth(store(), credential.id, update);
      expect(updated).toEqual({ ...connection, meetingSyncStatus: 'completed', lastCheckedAt: at(6) });
    });

    it('lists the connections on a credential, and only those', async () => {
      const shared = aCredential();
      const first = await connect(shared);
      const second = await connect(shared);
      await connect(aCredential());
      const on = await store().connectionsOnCredential(shared.id);
      expect(on.map((connection) => connection.id).sort()).toEqual([first.id, second.id].sort());
      expect(await store().connectionsOnCredential('cred-nobody-uses')).toEqual([]);
    });

    it('keeps the reason a credential went unhealthy on its connections, until Recall calls it healthy again', async () => {
      const shared = aCredential();
      await connect(shared);
      await connect(shared);
      const revoked = 'Failed to refresh the Zoom access token: invalid_grant';
      await recordCredentialHealth(store(), shared.id, {
        recallStatus: 'unhealthy',
        meetingSyncStatus: null,
        checkedAt: at(6),
        reauthReason: revoked,
      });
      expect((await store().connectionsOnCredential(shared.id)).map((c) => c.reauthReason)).toEqual([revoked, revoked]);
      // A later check that brings no new reason keeps the one known.
      await recordCredentialHealth(store(), shared.id, { recallStatus: 'unhealthy', meetingSyncStatus: null, checkedAt: at(7) });
      expect((await store().connectionsOnCredential(shared.id)).map((c) => c.reauthReason)).toEqual([revoked, revoked]);
      await recordCredentialHealth(store(), shared.id, {
        recallStatus: 'healthy',
        meetingSyncStatus: null,
        checkedAt: at(8),
        reauthReason: 'ignored',
      });
      expect((await store().connectionsOnCredential(shared.id)).map((c) => [c.status, c.reauthReason])).toEqual([
        ['connected', null],
        ['connected', null],
      ]);
    });

    it('clears the reason when the end user connects again', async () => {
      const credential = aCredential();
      const connection = await connect(credential);
      await recordCredentialHealth(store(), credential.id, {
        recallStatus: 'unhealthy',
        meetingSyncStatus: null,
        checkedAt: at(6),
        reauthReason: 'revoked',
      });
      await saveConnection(store(), aSave(connection.endUserId, aCredential(), { now: at(9) }));
      expect(await store().getConnection(connection.id)).toMatchObject({ status: 'connected', reauthReason: null });
    });

    it('deletes a connection once and reports whether there was one', async () => {
      const connection = await connect(aCredential());
      expect(await deleteConnection(store(), connection.id)).toBe(true);
      expect(await store().getConnection(connection.id)).toBeUndefined();
      expect(await deleteConnection(store(), connection.id)).toBe(false);
    });
  });
}
