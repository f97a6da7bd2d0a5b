import { describe, expect, it } from 'vitest';
import { aConnectSession, aFlow, at, useStore, type OpenStore } from './fixtures.js';

export function describeConnectSessions(open: OpenStore): void {
  describe('connect sessions', () => {
    const store = useStore(open);

    it('finds a created session by its token hash, every field intact', async () => {
      const session = aConnectSession({ mode: 'popup', returnTo: null });
      await store().createConnectSession(session);
      expect(await store().findSessionByToken(session.tokenHash)).toEqual(session);
    });

    it('finds nothing for a token hash it never stored', async () => {
      await store().createConnectSession(aConnectSession());
      expect(await store().findSessionByToken('token-never-issued')).toBeUndefined();
    });

    it('refuses a second session with the same token hash', async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      await expect(store().createConnectSession(aConnectSession({ tokenHash: session.tokenHash }))).rejects.toThrow();
    });

    it('claims an unused launch code and records when it was used', async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      const claim = await store().claimLaunch(session.launchHash, at(2));
      expect(claim).toEqual({ outcome: 'claimed', session: { ...session, launchedAt: at(2) } });
    });

    it('answers used, with the session as first claimed, for a launch code claimed before', async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      await store().claimLaunch(session.launchHash, at(2));
      const again = await store().claimLaunch(session.launchHash, at(3));
      expect(again).toEqual({ outcome: 'used', session: { ...session, launchedAt: at(2) } });
    });

    it('answers unknown for a launch code that was never issued', async () => {
      await store().createConnectSession(aConnectSession());
      expect(await store().claimLaunch('launch-never-issued', at(2))).toEqual({ outcome: 'unknown' });
    });

    it('claims a launch code of an expired session, leaving expiry to the caller', async () => {
      const session = aConnectSession({ expiresAt: at(30) });
      await store().createConnectSession(session);
      const claim = await store().claimLaunch(session.launchHash, at(45));
      expect(claim.outcome).toBe('claimed');
    });

    it("stores the launch's first flow with the claim, for the session it claimed", async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      const flow = aFlow(session.id);
      const claim = await store().claimLaunch(session.launchHash, at(2), (claimed) => (claimed.id === session.id ? flow : undefined));
      expect(claim.outcome).toBe('claimed');
      expect(await store().consumeFlow(flow.stateHash, at(3))).toMatchObject({
        outcome: 'consumed',
        flow: { id: flow.id },
        session: { id: session.id },
      });
    });

    it('claims without storing a flow when the launch makes none', async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      expect(await store().claimLaunch(session.launchHash, at(2), () => undefined)).toMatchObject({ outcome: 'claimed' });
      expect(await store().claimLaunch(session.launchHash, at(3))).toMatchObject({ outcome: 'used' });
    });

    it('leaves the launch code unused when its first flow cannot be stored: a failed launch spends nothing', async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      const taken = aFlow(session.id);
      await store().createFlow(taken);
      // The same state hash as a stored flow: the flow's insert fails after the claim's update.
      const clashing = aFlow(session.id, { stateHash: taken.stateHash });
      await expect(store().claimLaunch(session.launchHash, at(2), () => clashing)).rejects.toThrow();
      expect(await store().consumeFlow(clashing.stateHash, at(3))).toMatchObject({ outcome: 'consumed', flow: { id: taken.id } });
      const retry = await store().claimLaunch(session.launchHash, at(4));
      expect(retry).toEqual({ outcome: 'claimed', session: { ...session, launchedAt: at(4) } });
    });

    it('lets exactly one of 20 concurrent claims of one launch code win', async () => {
      const session = aConnectSession();
      await store().createConnectSession(session);
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store().claimLaunch(session.launchHash, at(2 + i / 100))));
      const outcomes = claims.map((claim) => claim.outcome);
      expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'used')).toHaveLength(19);
    });
  });
}
