import { describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { saveConnection } from '../../support/store-changes.js';

export function describeConnectionList(open: OpenStore): void {
  describe('listing connections', () => {
    const store = useStore(open);

    /** Seven connections; three share one creation time, so the id has to break the tie. */
    async function sevenConnections(): Promise<ConnectionRecord[]> {
      const minutes = [0, 1, 2, 2, 2, 3, 4];
      const saved: ConnectionRecord[] = [];
      for (const [i, minute] of minutes.entries()) {
        const credential = aCredential({ status: i % 2 === 0 ? 'healthy' : 'unhealthy' });
        saved.push((await saveConnection(store(), aSave(anEndUser(), credential, { now: at(minute) }))).connection);
      }
      return saved;
    }

    function newestFirst(connections: ConnectionRecord[]): ConnectionRecord[] {
      return [...connections].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
    }

    it('lists connections newest first, the id breaking ties', async () => {
      const all = await sevenConnections();
      expect(await store().listConnections({ limit: 10 })).toEqual(newestFirst(all));
    });

    it('lists at most limit connections', async () => {
      await sevenConnections();
      expect(await store().listConnections({ limit: 2 })).toHaveLength(2);
    });

    it('lists only the connection of the end user asked for', async () => {
      const all = await sevenConnections();
      const wanted = all[3]!;
      expect(await store().listConnections({ endUserId: wanted.endUserId, limit: 10 })).toEqual([wanted]);
    });

    it('lists only connections with the status asked for', async () => {
      const all = await sevenConnections();
      const listed = await store().listConnections({ status: 'needs_reauth', limit: 10 });
      expect(listed).toEqual(newestFirst(all.filter((connection) => connection.status === 'needs_reauth')));
    });

    it('pages through every connection in three pages with no duplicate and no gap', async () => {
      const all = await sevenConnections();
      const pageSize = 3;
      const pages: ConnectionRecord[][] = [];
      let after: { createdAt: string; id: string } | undefined;
      for (;;) {
        // The caller asks one row more than it shows, to know whether a next page exists.
        const rows = await store().listConnections({ limit: pageSize + 1, ...(after ? { after } : {}) });
        const page = rows.slice(0, pageSize);
        pages.push(page);
        if (rows.length <= pageSize) break;
        const last = page[page.length - 1]!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(newestFirst(all));
    });

    it('lists nothing after the oldest connection', async () => {
      const all = await sevenConnections();
      const oldest = newestFirst(all).at(-1)!;
      const after = { createdAt: oldest.createdAt, id: oldest.id };
      expect(await store().listConnections({ limit: 10, after })).toEqual([]);
    });
  });
}
