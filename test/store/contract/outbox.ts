import { CREDENTIAL_GONE } from '../../../src/store/connections.js';
import { describe, expect, it } from 'vitest';
import { connectFailed, toApiConnection } from '../../../src/events/bodies.js';
import type { ConnectionRecord, Store } from '../../../src/store/store.js';
import { aCredential, anEndUser, aSave, at, useStore, type OpenStore } from './fixtures.js';
import { deleteConnection, detachCredential, publish, recordCredentialHealth, saveAndAnnounce, saveConnection } from '../../support/store-changes.js';

const MINUTE_MS = 60_000;

/** Every event body in the outbox, in delivery order, claimed and acknowledged as a dispatcher would. */
async function drainEvents(store: Store, now = at(10_000)): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const claimed = await store.claimEvents({ holder: 'reader', now, leaseMs: MINUTE_MS, limit: 100 });
    if (claimed.length === 0) return bodies;
    for (const outbox of claimed) {
      bodies.push(outbox.body);
      expect(await store.markEventDelivered(outbox.id, 'reader', now)).toBe(true);
    }
  }
}

const types = (events: unknown[]) => events.map((event) => (event as { type: string }).type);
const api = (connection: ConnectionRecord) => toApiConnection(connection);

export function describeOutbox(open: OpenStore): void {
  describe('outbox events published with their change (the domain names them from what the change reports)', () => {
    const store = useStore(open);

    it('writes connection.created with the new connection when asked to', async () => {
      const saved = await saveAndAnnounce(store(), aSave(anEndUser(), aCredential()));
      expect(await drainEvents(store())).toEqual([{ v: 1, type: 'connection.created', data: { connection: api(saved.connection) } }]);
    });

    it('writes nothing when the change is not asked to record events', async () => {
      const saved = await saveConnection(store(), aSave(anEndUser(), aCredential()));
      await recordCredentialHealth(store(), saved.connection.recallCredentialId!, {
        recallStatus: 'unhealthy',
        meetingSyncStatus: null,
        checkedAt: at(1),
      });
      await deleteConnection(store(), saved.connection.id, { now: at(2) });
      expect(await drainEvents(store())).toEqual([]);
    });

    it('keeps nothing that is published to a store opened without events (WEBHOOK_URL unset)', async () => {
      const silent = await open({ events: false });
      try {
        const saved = await saveAndAnnounce(silent, aSave(anEndUser(), aCredential()));
        await publish(silent, connectFailed(anEndUser(), null, 'access_denied'), at(1));
        expect(await silent.getConnection(saved.connection.id)).toEqual(saved.connection);
        expect(await silent.outboxBacklog()).toEqual({ pending: 0, oldestCreatedAt: null });
        expect(await drainEvents(silent)).toEqual([]);
      } finally {
        await silent.close();
      }
    });

    it('writes connection.reauthorized on a reconnect with the same Zoom identity', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      await saveConnection(store(), aSave(endUserId, credential));
      const again = await saveAndAnnounce(store(), aSave(endUserId, credential, { now: at(5) }));
      expect(await drainEvents(store())).toEqual([
        {
          v: 1,
          type: 'connection.reauthorized',
          data: {
            connection: api(again.connection),
            identity_changed: false,
            previous_zoom_user_id: credential.userId,
            previous_zoom_account_id: credential.accountId,
          },
        },
      ]);
    });

    it('says identity_changed when the end user authorized another Zoom user', async () => {
      const endUserId = anEndUser();
      const before = aCredential();
      await saveConnection(store(), aSave(endUserId, before));
      await saveAndAnnounce(store(), aSave(endUserId, aCredential(), { now: at(5) }));
      const [event] = await drainEvents(store());
      expect(event).toMatchObject({ type: 'connection.reauthorized', data: { identity_changed: true, previous_zoom_user_id: before.userId } });
    });

    it('follows a reconnect that repairs a needs_reauth connection with connection.status_changed', async () => {
      const endUserId = anEndUser();
      const credential = aCredential();
      await saveConnection(store(), aSave(endUserId, { ...credential, status: 'unhealthy' }));
      const again = await saveAndAnnounce(store(), aSave(endUserId, credential, { now: at(5) }));
      const events = await drainEvents(store());
      expect(types(events)).toEqual(['connection.reauthorized', 'connection.status_changed']);
      expect(events[1]).toEqual({
        v: 1,
        type: 'connection.status_changed',
        data: { connection: api(again.connection), previous_status: 'needs_reauth', status: 'connected' },
      });
    });

    it('writes connection.status_changed for every connection on a credential that turns unhealthy, and only then', async () => {
      const shared = aCredential();
      const first = await saveConnection(store(), aSave(anEndUser(), shared));
      const second = await saveConnection(store(), aSave(anEndUser(), shared));
      const unhealthy = { recallStatus: 'unhealthy', meetingSyncStatus: 'failed', checkedAt: at(3) } as const;
      await recordCredentialHealth(store(), shared.id, unhealthy, { announce: true });
      await recordCredentialHealth(store(), shared.id, { ...unhealthy, checkedAt: at(4) }, { announce: true });
      const events = await drainEvents(store());
      expect(events).toHaveLength(2);
      for (const event of events)
        expect(event).toMatchObject({
          type: 'connection.status_changed',
          data: { previous_status: 'connected', connection: { status: 'needs_reauth', last_checked_at: at(3) } },
        });
      expect(events.map((event) => (event as { data: { connection: { id: string } } }).data.connection.id).sort()).toEqual(
        [first.connection.id, second.connection.id].sort(),
      );
    });

    it('leaves a connection checked after the observation alone (a reconnect while a list was read)', async () => {
      const credential = aCredential();
      const saved = await saveConnection(store(), aSave(anEndUser(), credential, { now: at(5) }));
      const stale = { recallStatus: 'unhealthy', meetingSyncStatus: null, checkedAt: at(6), observedAt: at(4) } as const;
      expect(await recordCredentialHealth(store(), credential.id, stale, { announce: true })).toEqual([]);
      expect(await store().getConnection(saved.connection.id)).toEqual(saved.connection);
      expect(await recordCredentialHealth(store(), credential.id, { ...stale, observedAt: at(5) }, { announce: true })).toHaveLength(1);
      expect(types(await drainEvents(store()))).toEqual(['connection.status_changed']);
    });

    it('writes connection.status_changed with the reason the credential went unhealthy', async () => {
      const credential = aCredential();
      const healthy = await saveConnection(store(), aSave(anEndUser(), credential));
      const reason = 'Failed to refresh the Zoom access token: invalid_grant';
      await recordCredentialHealth(
        store(),
        credential.id,
        { recallStatus: 'unhealthy', meetingSyncStatus: null, checkedAt: at(2), reauthReason: reason },
        { announce: true },
      );
      const after = {
        ...healthy.connection,
        status: 'needs_reauth',
        recallStatus: 'unhealthy',
        meetingSyncStatus: null,
        reauthReason: reason,
        updatedAt: at(2),
        lastCheckedAt: at(2),
      } as const;
      expect(await drainEvents(store())).toEqual([
        { v: 1, type: 'connection.status_changed', data: { connection: api(after), previous_status: 'connected', status: 'needs_reauth' } },
      ]);
    });

    it('writes connection.status_changed for the connected connections a detach leaves without credential', async () => {
      const credential = aCredential();
      const healthy = await saveConnection(store(), aSave(anEndUser(), credential));
      await detachCredential(store(), credential.id, at(2), { announce: true });
      const after = {
        ...healthy.connection,
        recallCredentialId: null,
        recallStatus: null,
        status: 'needs_reauth',
        reauthReason: CREDENTIAL_GONE,
        updatedAt: at(2),
      } as const;
      expect(await drainEvents(store())).toEqual([
        { v: 1, type: 'connection.status_changed', data: { connection: api(after), previous_status: 'connected', status: 'needs_reauth' } },
      ]);
    });

    it('writes connection.deleted with the connection as it was', async () => {
      const saved = await saveConnection(store(), aSave(anEndUser(), aCredential()));
      expect(await deleteConnection(store(), saved.connection.id, { now: at(3), announce: true })).toBe(true);
      expect(await drainEvents(store())).toEqual([{ v: 1, type: 'connection.deleted', data: { connection: api(saved.connection) } }]);
      expect(await deleteConnection(store(), saved.connection.id, { now: at(4), announce: true })).toBe(false);
      expect(await drainEvents(store())).toEqual([]);
    });

    it('announces the detached connections a reconnect of the same Zoom account relinks', async () => {
      const detachedUser = anEndUser();
      const old = aCredential({ accountId: 'zoom-account-acme' });
      await saveConnection(store(), aSave(detachedUser, old));
      await detachCredential(store(), old.id, at(1));
      await saveAndAnnounce(store(), aSave(anEndUser(), aCredential({ accountId: 'zoom-account-acme' }), { now: at(2) }));
      const events = await drainEvents(store());
      expect(types(events).sort()).toEqual(['connection.created', 'connection.status_changed']);
      expect(events.find((event) => (event as { type: string }).type === 'connection.status_changed')).toMatchObject({
        data: { previous_status: 'needs_reauth', connection: { end_user_id: detachedUser, status: 'connected' } },
      });
    });

    it('records an event that goes with no change (connect.failed)', async () => {
      const event = connectFailed(anEndUser(), null, 'access_denied');
      await publish(store(), event, at(1));
      expect(await drainEvents(store())).toEqual([
        { v: 1, type: 'connect.failed', data: { end_user_id: event.endUserId, connection_id: null, code: 'access_denied' } },
      ]);
    });

    it('keeps a body exactly as the domain published it, with its type and connection', async () => {
      const endUserId = anEndUser();
      const entry = { type: 'connection.deleted', endUserId, connectionId: 'conn-1', body: { v: 7, anything: ['kept', 1] } } as const;
      await publish(store(), entry, at(1));
      const [claimed] = await store().claimEvents({ holder: 'reader', now: at(2), leaseMs: MINUTE_MS, limit: 10 });
      expect(claimed).toMatchObject({ type: 'connection.deleted', body: { v: 7, anything: ['kept', 1] }, createdAt: at(1), attempts: 0 });
    });
  });

  describe('outbox delivery bookkeeping', () => {
    const store = useStore(open);
    const failed = (endUserId: string, code: string) => connectFailed(endUserId, null, code as 'access_denied');
    const claim = (holder: string, now: string, limit = 10) => store().claimEvents({ holder, now, leaseMs: MINUTE_MS, limit });

    it('hands out each end user oldest pending event only, in commit order', async () => {
      const [ada, bob] = [anEndUser(), anEndUser()];
      await publish(store(), failed(ada, 'access_denied'), at(0));
      await publish(store(), failed(bob, 'zoom_error'), at(0));
      await publish(store(), failed(ada, 'code_missing'), at(0));
      const first = await claim('one', at(1));
      expect(first.map((outbox) => outbox.body)).toEqual([failed(ada, 'access_denied').body, failed(bob, 'zoom_error').body]);
      expect(first[0]!.seq).toBeLessThan(first[1]!.seq);
      expect(first[0]).toMatchObject({ createdAt: at(0), attempts: 0 });
      expect(first[0]!.id).toMatch(/^evt_[0-9a-f]{32}$/);
      // Ada's next event waits until her first one is delivered.
      expect(await claim('one', at(1))).toEqual([]);
      await store().markEventDelivered(first[0]!.id, 'one', at(1.5));
      expect((await claim('one', at(1.5))).map((outbox) => outbox.body)).toEqual([failed(ada, 'code_missing').body]);
    });

    it('never hands one event to two holders while the claim holds, and again once it lapsed', async () => {
      await publish(store(), failed(anEndUser(), 'access_denied'), at(0));
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
      for (let i = 0; i < 12; i++) await publish(store(), failed(anEndUser(), 'access_denied'), at(0));
      const claims = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => claim(holder, at(1), 5)));
      const ids = claims.flat().map((outbox) => outbox.id);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
    });

    it('holds a rescheduled event, and the end user later events, until its next attempt', async () => {
      const ada = anEndUser();
      await publish(store(), failed(ada, 'access_denied'), at(0));
      await publish(store(), failed(ada, 'zoom_error'), at(0));
      const [first] = await claim('one', at(1));
      expect(await store().rescheduleEvent(first!.id, 'one', { nextAttemptAt: at(5), error: 'HTTP 503' })).toBe(true);
      expect(await claim('one', at(4))).toEqual([]);
      const [again] = await claim('one', at(5));
      expect(again).toMatchObject({ id: first!.id, attempts: 1 });
    });

    it('lets the end user next events go once an event is given up', async () => {
      const ada = anEndUser();
      await publish(store(), failed(ada, 'access_denied'), at(0));
      await publish(store(), failed(ada, 'zoom_error'), at(0));
      const [first] = await claim('one', at(1));
      expect(await store().markEventFailed(first!.id, 'one', { now: at(1), error: 'HTTP 410' })).toBe(true);
      expect((await claim('one', at(1))).map((outbox) => outbox.body)).toEqual([failed(ada, 'zoom_error').body]);
    });

    it('reports the backlog: pending events and the oldest one', async () => {
      expect(await store().outboxBacklog()).toEqual({ pending: 0, oldestCreatedAt: null });
      await publish(store(), failed(anEndUser(), 'access_denied'), at(3));
      await publish(store(), failed(anEndUser(), 'zoom_error'), at(5));
      expect(await store().outboxBacklog()).toEqual({ pending: 2, oldestCreatedAt: at(3) });
      const [oldest] = await claim('one', at(6), 1);
      await store().markEventDelivered(oldest!.id, 'one', at(6));
      expect(await store().outboxBacklog()).toEqual({ pending: 1, oldestCreatedAt: at(5) });
    });

    it('purges delivered and given-up events finished before the cutoff, never pending ones', async () => {
      for (const code of ['access_denied', 'zoom_error', 'code_missing']) await publish(store(), failed(anEndUser(), code), at(0));
      const [delivered, givenUp] = await claim('one', at(1), 2);
      await store().markEventDelivered(delivered!.id, 'one', at(1));
      await store().markEventFailed(givenUp!.id, 'one', { now: at(2), error: 'HTTP 500' });
      expect(await store().purgeFinishedEvents(at(2))).toBe(1);
      expect(await store().purgeFinishedEvents(at(3))).toBe(1);
      expect(await store().outboxBacklog()).toMatchObject({ pending: 1 });
    });
  });
}
