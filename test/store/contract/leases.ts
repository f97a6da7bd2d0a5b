import { describe, expect, it } from 'vitest';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { saveConnection } from '../../support/store-changes.js';

const MINUTE_MS = 60_000;

export function describeLeases(open: OpenStore): void {
  describe('leases', () => {
    const store = useStore(open);
    const lease = (holder: string, now: string, ttlMs = MINUTE_MS) => store().acquireLease({ name: 'health-sync', holder, now, ttlMs });

    it('gives a free lease to the first holder and refuses it to others while it runs', async () => {
      expect(await lease('one', at(0))).toBe(true);
      expect(await lease('two', at(0.5))).toBe(false);
    });

    it('lets the holder extend its lease', async () => {
      expect(await lease('one', at(0))).toBe(true);
      expect(await lease('one', at(0.9))).toBe(true);
      // Extended to 1.9: still held at 1.5.
      expect(await lease('two', at(1.5))).toBe(false);
    });

    it('hands a lapsed lease to another holder', async () => {
      await lease('one', at(0));
      expect(await lease('two', at(1))).toBe(true);
      expect(await lease('one', at(1.5))).toBe(false);
    });

    it('frees a lease its holder releases, and ignores a release by anyone else', async () => {
      await lease('one', at(0));
      await store().releaseLease('health-sync', 'two');
      expect(await lease('two', at(0.1))).toBe(false);
      await store().releaseLease('health-sync', 'one');
      expect(await lease('two', at(0.2))).toBe(true);
    });

    it('keeps leases of different names apart', async () => {
      expect(await lease('one', at(0))).toBe(true);
      expect(await store().acquireLease({ name: 'other-job', holder: 'two', now: at(0), ttlMs: MINUTE_MS })).toBe(true);
    });

    it('gives a contested lease to exactly one of the holders racing for it', async () => {
      const won = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((holder) => lease(holder, at(0))));
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('health queries', () => {
    const store = useStore(open);

    it('lists each credential some connection last saw unhealthy, once', async () => {
      const shared = aCredential({ status: 'unhealthy' });
      await saveConnection(store(), aSave(anEndUser(), shared));
      await saveConnection(store(), aSave(anEndUser(), shared));
      await saveConnection(store(), aSave(anEndUser(), aCredential()));
      expect(await store().listUnhealthyCredentialIds()).toEqual([shared.id]);
    });

    it('lists credentials not checked since a time, least recently checked first, up to a limit', async () => {
      const old = aCredential();
      const older = aCredential();
      const fresh = aCredential();
      await saveConnection(store(), aSave(anEndUser(), old, { now: at(10) }));
      await saveConnection(store(), aSave(anEndUser(), older, { now: at(5) }));
      await saveConnection(store(), aSave(anEndUser(), fresh, { now: at(30) }));
      // A credential shared with a connection checked long ago counts as checked that long ago.
      await saveConnection(store(), aSave(anEndUser(), fresh, { now: at(1) }));
      expect(await store().listCredentialsCheckedBefore(at(20), 10)).toEqual([fresh.id, older.id, old.id]);
      expect(await store().listCredentialsCheckedBefore(at(20), 2)).toEqual([fresh.id, older.id]);
      expect(await store().listCredentialsCheckedBefore(at(0), 10)).toEqual([]);
    });
  });
}
