import { describe, expect, it } from 'vitest';
import { aConnectSession, at, useStore, type OpenStore } from './fixtures.js';

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
