import { describe, expect, it } from 'vitest';
import { aConnectSession, aFlow, at, useStore, type OpenStore } from './fixtures.js';

export function describeFlows(open: OpenStore): void {
  describe('flows', () => {
    const store = useStore(open);

    async function aStoredFlow(overrides: Parameters<typeof aFlow>[1] = {}) {
      const session = aConnectSession();
      await store().createConnectSession(session);
      const flow = aFlow(session.id, overrides);
      await store().createFlow(flow);
      return { session, flow };
    }

    it('consumes an unused flow by its state and returns it with its session', async () => {
      const { session, flow } = await aStoredFlow({ attempt: 2 });
      const claim = await store().consumeFlow(flow.stateHash, at(3));
      expect(claim).toEqual({ outcome: 'consumed', flow: { ...flow, consumedAt: at(3) }, session });
    });

    it('answers reused, with the flow and its session, for a state consumed before', async () => {
      const { session, flow } = await aStoredFlow();
      await store().consumeFlow(flow.stateHash, at(3));
      const again = await store().consumeFlow(flow.stateHash, at(4));
      expect(again).toEqual({ outcome: 'reused', flow: { ...flow, consumedAt: at(3) }, session, connectionId: null });
    });

    it('answers reused with the connection the flow connected, once recorded', async () => {
      const { flow } = await aStoredFlow();
      await store().consumeFlow(flow.stateHash, at(3));
      await store().recordFlowConnected(flow.id, '4514327a-fb47-471b-a0b3-4f1f2300723a');
      const again = await store().consumeFlow(flow.stateHash, at(4));
      expect(again).toMatchObject({ outcome: 'reused', connectionId: '4514327a-fb47-471b-a0b3-4f1f2300723a' });
    });

    it('answers unknown for a state that was never issued', async () => {
      await aStoredFlow();
      expect(await store().consumeFlow('state-never-issued', at(3))).toEqual({ outcome: 'unknown' });
    });

    it('consumes an expired flow, leaving expiry to the caller', async () => {
      const { flow } = await aStoredFlow({ expiresAt: at(11) });
      const claim = await store().consumeFlow(flow.stateHash, at(20));
      expect(claim.outcome).toBe('consumed');
    });

    it('refuses a flow for a session it never stored', async () => {
      await expect(store().createFlow(aFlow('session-never-created'))).rejects.toThrow();
    });

    it('lets exactly one of 20 concurrent consumptions of one state win', async () => {
      const { flow } = await aStoredFlow();
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store().consumeFlow(flow.stateHash, at(3 + i / 100))));
      const outcomes = claims.map((claim) => claim.outcome);
      expect(outcomes.filter((outcome) => outcome === 'consumed')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'reused')).toHaveLength(19);
    });
  });
}
