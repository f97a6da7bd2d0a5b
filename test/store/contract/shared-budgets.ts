import { describe, expect, it } from 'vitest';
import { at, useStore, type OpenStore } from './fixtures.js';

/** Recall's per-workspace budgets and the health sync's position, kept where every instance finds them. */
export function describeSharedBudgets(open: OpenStore): void {
  describe('shared Recall budgets and job positions', () => {
    const store = useStore(open);
    const list = { name: 'recall-list', perMinute: 3 };
    const take = (minutes: number, budget = list) => store().takeRequestSlot(budget, at(minutes));

    it('grants perMinute calls in a minute, then says when the oldest is a minute old', async () => {
      expect([await take(0), await take(0.5), await take(0.75)]).toEqual([{ granted: true }, { granted: true }, { granted: true }]);
      expect(await take(0.9)).toEqual({ granted: false, retryAt: at(1) });
      expect(await take(1)).toEqual({ granted: true });
      expect(await take(1)).toEqual({ granted: false, retryAt: at(1.5) });
    });

    it('keeps budgets apart by name, and follows a changed perMinute', async () => {
      await take(0);
      await take(0);
      await take(0);
      expect(await take(0, { name: 'recall-health-calls', perMinute: 1 })).toEqual({ granted: true });
      expect(await take(0, { ...list, perMinute: 4 })).toEqual({ granted: true });
      expect(await take(0, { ...list, perMinute: 2 })).toMatchObject({ granted: false });
    });

    it("holds the budget while a 429's pause runs; an earlier pause never shortens a later one", async () => {
      await store().pauseRequests('recall-list', at(2));
      await store().pauseRequests('recall-list', at(1));
      expect(await take(1.5)).toEqual({ granted: false, retryAt: at(2) });
      expect(await take(2)).toEqual({ granted: true });
    });

    it('keeps where a walk stopped until it ends', async () => {
      expect(await store().readSyncPosition('health')).toBeUndefined();
      await store().saveSyncPosition('health', { cursor: 'c1', passStartedAt: at(0) }, at(0));
      await store().saveSyncPosition('health', { cursor: 'c2', passStartedAt: at(0) }, at(1));
      expect(await store().readSyncPosition('health')).toEqual({ cursor: 'c2', passStartedAt: at(0) });
      await store().saveSyncPosition('health', null, at(2));
      expect(await store().readSyncPosition('health')).toBeUndefined();
    });
  });
}
