import { CREDENTIAL_GONE } from '../../../src/store/connections.js';
import { describe, expect, it } from 'vitest';
import type { Store, StoreEvent } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore } from './fixtures.js';

const MINUTE_MS = 60_000;

/** Every event in the outbox, in delivery order, claimed and acknowledged as a dispatcher would. */
async function drainEvents(store: Store, now = at(10_000)): Promise<StoreEvent[]> {
  const events: StoreEvent[] = [];
  for (;;) {
    const claimed = await store.claimEvents({ holder: 'reader', now, leaseMs: MINUTE_MS, limit: 100 });
    if (claimed.length === 0) return events;
    for (const outbox of claimed) {
      events.push(outbox.event);
      expect(await store.markEventDelivered(outbox.id, 'reader', now)).toBe(true);
    }
  }
}

const types = (events: StoreEvent[]) => events.map((event) => event.type);

export function describeOutbox(open: () => Promise<Store>): void {
  describe('outbox events written with their change', () => {
    const store = useStore(open);

    it('writes connection.created with the new connection when asked to', async () => {
      const saved = await store().saveConnection(aSave(anEndUser(), aCredential(), { recordEvents: true }));
      expect(await drainEvents(store())).toEqual([{ type: 'connection.created', connection: saved.connection }]);
    });

    it('writes nothing when the change is not asked to record events', async () => {
      const saved = await store().saveConnection(aSave(anEndUser(), aCredential()));
      await store().recordCredentialHealth(saved.connection.recallCredentialId!, {
        recallStatus: 'unhealthy',
        meetingSyncStatus: null,
        checkedAt: at(1),
      });
      await store().deleteConnection(saved.connection.id, { now: at(2) });
      expect(await drainEvents(store())).toEqual([]);
    });

    it('writes connection.reauthorized on a reconnect with the same Zoom identity', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      await store().saveConnection(aSave(endUserId, credential));
      const again = await store().saveConnection(aSave(endUserId, credential, { now: at(5), recordEvents: true }));
      expect(await drainEvents(store())).toEqual([
        {
          type: 'connection.reauthorized',
          connection: again.connection,
          identityChanged: false,
          previousZoomUserId: credential.userId,
          previousZoomAccountId: credential.accountId,
        },
      ]);
    });

    it('says identity_changed when the end user authorized another Zoom user', async () => {
      const endUserId = anEndUser();
      const before = aCredential();
      await store().saveConnection(aSave(endUserId, before));
      await store().saveConnection(aSave(endUserId, aCredential(), { now: at(5), recordEvents: true }));
      const [event] = await drainEvents(store());
      expect(event).toMatchObject({ type: 'connection.reauthorized', identityChanged: true, previousZoomUserId: before.userId });
    });

    it('follows a reconnect that repairs a needs_reauth connection with connection.status_changed', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      await store().saveConnection(aSave(endUserId, { ...credential, status: 'unhealthy' }));
      const again = await store().saveConnection(aSave(endUserId, credential, { now: at(5), recordEvents: true }));
      const events = await drainEvents(store());
      expect(types(events)).toEqual(['connection.reauthorized', 'connection.status_changed']);
      expect(events[1]).toEqual({ type: 'connection.status_changed', connection: again.connection, previousStatus: 'needs_reauth' });
    });

    it('writes connection.status_changed for every connection on a credential that turns unhealthy, and only then', async () => {
      const shared = aCredential();
      const first = await store().saveConnection(aSave(anEndUser(), shared));
      const second = await store().saveConnection(aSave(anEndUser(), shared));
      const unhealthy = { recallStatus: 'unhealthy', meetingSyncStatus: 'failed', checkedAt: at(3), recordEvents: true } as const;
      await store().recordCredentialHealth(shared.id, unhealthy);
      await store().recordCredentialHealth(shared.id, { ...unhealthy, checkedAt: at(4) });
      const events = await drainEvents(store());
      expect(events).toHaveLength(2);
      for (const event of events)
        expect(event).toMatchObject({
          type: 'connection.status_changed',
          previousStatus: 'connected',
          connection: { status: 'needs_reauth', lastCheckedAt: at(3) },
        });
      expect(events.map((event) => (event.type === 'connection.status_changed' ? event.connection.id : '')).sort()).toEqual(
        [first.connection.id, second.connection.id].sort(),
      );
    });

    it('leaves a connection checked after the observation alone (a reconnect while a list was read)', async () => {
      const credential = aCredential();
      const saved = await store().saveConnection(aSave(anEndUser(), credential, { now: at(5) }));
      const stale = { recallStatus: 'unhealthy', meetingSyncStatus: null, checkedAt: at(6), observedAt: at(4), recordEvents: true } as const;
      expect(await store().recordCredentialHealth(credential.id, stale)).toEqual([]);
      expect(await store().getConnection(saved.connection.id)).toEqual(saved.connection);
      expect(await store().recordCredentialHealth(credential.id, { ...stale, observedAt: at(5) })).toHaveLength(1);
      expect(types(await drainEvents(store()))).toEqual(['connection.status_changed']);
    });

    it('writes connection.status_changed with the reason the credential went unhealthy', async () => {
      const credential = aCredential();
      const healthy = await store().saveConnection(aSave(anEndUser(), credential));
      const reason = 'Failed to refresh the Zoom access token: invalid_grant';
      await store().recordCredentialHealth(credential.id, {
        recallStatus: 'unhealthy',
        meetingSyncStatus: null,
        checkedAt: at(2),
        recordEvents: true,
        reauthReason: reason,
      });
      expect(await drainEvents(store())).toEqual([
        {
          type: 'connection.status_changed',
          previousStatus: 'connected',
          connection: {
            ...healthy.connection,
            status: 'needs_reauth',
            recallStatus: 'unhealthy',
            meetingSyncStatus: null,
            reauthReason: reason,
            updatedAt: at(2),
            lastCheckedAt: at(2),
          },
        },
      ]);
    });

    it('writes connection.status_changed for the connected connections a detach leaves without credential', async () => {
      const credential = aCredential();
      const healthy = await store().saveConnection(aSave(anEndUser(), credential));
      await store().detachCredential(credential.id, at(2), { recordEvents: true });
      expect(await drainEvents(store())).toEqual([
        {
          type: 'connection.status_changed',
          previousStatus: 'connected',
          connection: {
            ...healthy.connection,
            recallCredentialId: null,
            recallStatus: null,
            status: 'needs_reauth',
            reauthReason: CREDENTIAL_GONE,
            updatedAt: at(2),
          },
        },
      ]);
    });

    it('writes connection.deleted with the connection as it was', async () => {
      const saved = await store().saveConnection(aSave(anEndUser(), aCredential()));
      expect(await store().deleteConnection(saved.connection.id, { now: at(3), recordEvents: true })).toBe(true);
      expect(await drainEvents(store())).toEqual([{ type: 'connection.deleted', connection: saved.connection }]);
      expect(await store().deleteConnection(saved.connection.id, { now: at(4), recordEvents: true })).toBe(false);
      expect(await drainEvents(store())).toEqual([]);
    });

    it('announces the detached connections a reconnect of the same Zoom account relinks', async () => {
      const detachedUser = anEndUser();
      const old = aCredential({ accountId: 'zoom-account-acme' });
      await store().saveConnection(aSave(detachedUser, old));
      await store().detachCredential(old.id, at(1));
      await store().saveConnection(aSave(anEndUser(), aCredential({ accountId: 'zoom-account-acme' }), { now: at(2), recordEvents: true }));
      const events = await drainEvents(store());
      expect(types(events).sort()).toEqual(['connection.created', 'connection.status_changed']);
      expect(events.find((event) => event.type === 'connection.status_changed')).toMatchObject({
        previousStatus: 'needs_reauth',
        connection: { endUserId: detachedUser, status: 'connected' },
      });
    });

    it('records an event that goes with no change (connect.failed)', async () => {
      const event = { type: 'connect.failed', endUserId: anEndUser(), connectionId: null, code: 'access_denied' } as const;
      await store().recordEvent(event, at(1));
      expect(await drainEvents(store())).toEqual([event]);
    });
  });

  describe('outbox delivery bookkeeping', () => {
    const store = useStore(open);
    const failed = (endUserId: string, code: string) => ({ type: 'connect.failed', endUserId, connectionId: null, code }) as const;
    const claim = (holder: string, now: string, limit = 10) => store().claimEvents({ holder, now, leaseMs: MINUTE_MS, limit });

    it('hands out each end user oldest pending event only, in commit order', async () => {
      const [ada, bob] = [anEndUser(), anEndUser()];
      await store().recordEvent(failed(ada, 'access_denied'), at(0));
      await store().recordEvent(failed(bob, 'zoom_error'), at(0));
      await store().recordEvent(failed(ada, 'code_missing'), at(0));
      const first = await claim('one', at(1));
      expect(first.map((outbox) => outbox.event)).toEqual([failed(ada, 'access_denied'), failed(bob, 'zoom_error')]);
      expect(first[0]!.seq).toBeLessThan(first[1]!.seq);
      expect(first[0]).toMatchObject({ createdAt: at(0), attempts: 0 });
      expect(first[0]!.id).toMatch(/^evt_[0-9a-f]{32}$/);
      // Ada's next event waits until her first one is delivered.
      expect(await claim('one', at(1))).toEqual([]);
      await store().markEventDelivered(first[0]!.id, 'one', at(1.5));
      expect((await claim('one', at(1.5))).map((outbox) => outbox.event)).toEqual([failed(ada, 'code_missing')]);
    });

    it('never hands one event to two holders while the claim holds, and again once it lapsed', async () => {
      await store().recordEvent(failed(anEndUser(), 'access_denied'), at(0));
      const [held] = await claim('one', at(1));
      expect(held).toBeDefined();
      expect(await claim('two', at(1.5))).toEqual([]);
      const [retaken] = await claim('two', at(2));
      expect(retaken?.id).toBe(held!.id);
      // The first holder's claim is lost: its late acknowledgement changes nothing.
      expect(await store().markEventDelivered(held!.id, 'one', at(2))).toBe(false);
      expect(await store().markEventDelivered(held!.id, 'two', at(2))).toBe(true);
      expect(await claim('three', at(10))).toEqual([]);
    });

    it('splits due events between concurrent claims without overlap', async () => {
      for (let i = 0; i < 12; i++) await store().recordEvent(failed(anEndUser(), 'access_denied'), at(0));
      const claims = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => claim(holder, at(1), 5)));
      const ids = claims.flat().map((outbox) => outbox.id);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
    });

    it('holds a rescheduled event, and the end user later events, until its next attempt', async () => {
      const ada = anEndUser();
      await store().recordEvent(failed(ada, 'access_denied'), at(0));
      await store().recordEvent(failed(ada, 'zoom_error'), at(0));
      const [first] = await claim('one', at(1));
      expect(await store().rescheduleEvent(first!.id, 'one', { nextAttemptAt: at(5), error: 'HTTP 503' })).toBe(true);
      expect(await claim('one', at(4))).toEqual([]);
      const [again] = await claim('one', at(5));
      expect(again).toMatchObject({ id: first!.id, attempts: 1 });
    });

    it('lets the end user next events go once an event is given up', async () => {
      const ada = anEndUser();
      await store().recordEvent(failed(ada, 'access_denied'), at(0));
      await store().recordEvent(failed(ada, 'zoom_error'), at(0));
      const [first] = await claim('one', at(1));
      expect(await store().markEventFailed(first!.id, 'one', { now: at(1), error: 'HTTP 410' })).toBe(true);
      expect((await claim('one', at(1))).map((outbox) => outbox.event)).toEqual([failed(ada, 'zoom_error')]);
    });

    it('reports the backlog: pending events and the oldest one', async () => {
      expect(await store().outboxBacklog()).toEqual({ pending: 0, oldestCreatedAt: null });
      await store().recordEvent(failed(anEndUser(), 'access_denied'), at(3));
      await store().recordEvent(failed(anEndUser(), 'zoom_error'), at(5));
      expect(await store().outboxBacklog()).toEqual({ pending: 2, oldestCreatedAt: at(3) });
      const [oldest] = await claim('one', at(6), 1);
      await store().markEventDelivered(oldest!.id, 'one', at(6));
      expect(await store().outboxBacklog()).toEqual({ pending: 1, oldestCreatedAt: at(5) });
    });

    it('purges delivered and given-up events finished before the cutoff, never pending ones', async () => {
      for (const code of ['access_denied', 'zoom_error', 'code_missing']) await store().recordEvent(failed(anEndUser(), code), at(0));
      const [delivered, givenUp] = await claim('one', at(1), 2);
      await store().markEventDelivered(delivered!.id, 'one', at(1));
      await store().markEventFailed(givenUp!.id, 'one', { now: at(2), error: 'HTTP 500' });
      expect(await store().purgeFinishedEvents(at(2))).toBe(1);
      expect(await store().purgeFinishedEvents(at(3))).toBe(1);
      expect(await store().outboxBacklog()).toMatchObject({ pending: 1 });
    });
  });
}
