import { describe, expect, it } from 'vitest';
import { aConnectSession, aFlow, at, useStore, type OpenStore } from './fixtures.js';

const HOUR_MS = 60 * 60_000;

export function describeHousekeeping(open: OpenStore): void {
  describe('housekeeping', () => {
    const store = useStore(open);

    it('purges sessions and flows that expired more than the retention ago and counts them', async () => {
      const session = aConnectSession({ expiresAt: at(30) });
      await store().createConnectSession(session);
      const flows = [aFlow(session.id, { expiresAt: at(11) }), aFlow(session.id, { expiresAt: at(12) })];
      for (const flow of flows) await store().createFlow(flow);
      expect(await store().purgeExpired(at(30 + 61), HOUR_MS)).toEqual({ sessions: 1, flows: 2 });
      expect(await store().findSessionByToken(session.tokenHash)).toBeUndefined();
      expect(await store().consumeFlow(flows[0]!.stateHash, at(91))).toEqual({ outcome: 'unknown' });
    });

    it('keeps sessions and flows that expired less than the retention ago', async () => {
      const session = aConnectSession({ expiresAt: at(30) });
      await store().createConnectSession(session);
      const flow = aFlow(session.id, { expiresAt: at(11) });
      await store().createFlow(flow);
      expect(await store().purgeExpired(at(11 + 59), HOUR_MS)).toEqual({ sessions: 0, flows: 0 });
      expect(await store().findSessionByToken(session.tokenHash)).toEqual(session);
      expect((await store().consumeFlow(flow.stateHash, at(70))).outcome).toBe('consumed');
    });

    it('purges an expired flow while keeping the unexpired session and flows beside it', async () => {
      const session = aConnectSession({ expiresAt: at(300) });
      await store().createConnectSession(session);
      const expired = aFlow(session.id, { expiresAt: at(11) });
      const fresh = aFlow(session.id, { expiresAt: at(200) });
      await store().createFlow(expired);
      await store().createFlow(fresh);
      expect(await store().purgeExpired(at(100), HOUR_MS)).toEqual({ sessions: 0, flows: 1 });
      expect((await store().consumeFlow(expired.stateHash, at(100))).outcome).toBe('unknown');
      expect(await store().consumeFlow(fresh.stateHash, at(100))).toMatchObject({ outcome: 'consumed', session });
    });

    it('keeps an expired session while one of its flows is still retained', async () => {
      const session = aConnectSession({ expiresAt: at(30) });
      await store().createConnectSession(session);
      const lateFlow = aFlow(session.id, { createdAt: at(29), expiresAt: at(39) });
      await store().createFlow(lateFlow);
      expect(await store().purgeExpired(at(30 + 65), HOUR_MS)).toEqual({ sessions: 0, flows: 0 });
      expect(await store().consumeFlow(lateFlow.stateHash, at(95))).toMatchObject({ outcome: 'consumed', session });
    });

    it('answers a ping while the database is reachable', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}
