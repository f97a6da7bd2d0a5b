// The outbox: events written in the same transaction as the change they describe, so no committed change
// ever goes unannounced, then claimed and delivered by a dispatcher (src/events/). Every query is portable
// SQL (a counter row, UPDATE ... WHERE id IN (subquery) RETURNING), correct on SQLite and on PostgreSQL with
// several instances: the claim re-checks the claim columns in its outer WHERE, which PostgreSQL re-evaluates
// on a row another transaction just claimed, so two dispatchers never hold the same event.

import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, OutboxEventRow } from './schema.js';
import type { EventClaim, OutboxBacklog, OutboxEvent, StoreEvent } from './store.js';

/**
 * Appends events, in order, inside the caller's transaction. The counter row is updated first: on PostgreSQL
 * its row lock makes every event-writing transaction wait for the one before to commit, so seq order is
 * commit order and a dispatcher never sees a later event of an end user before an earlier one.
 */
export async function appendEvents(trx: Transaction<Database>, events: StoreEvent[], now: string): Promise<void> {
  if (events.length === 0) return;
  const { value } = await trx
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', events.length) }))
    .where('name', '=', 'outbox_events')
    .returning('value')
    .executeTakeFirstOrThrow();
  const first = Number(value) - events.length + 1;
  await trx
    .insertInto('outbox_events')
    .values(
      events.map((event, index) => ({
        id: `evt_${randomUUID().replaceAll('-', '')}`,
        seq: first + index,
        type: event.type,
        ordering_key: orderingKeyOf(event),
        connection_id: event.type === 'connect.failed' ? event.connectionId : event.connection.id,
        payload: JSON.stringify(event),
        created_at: now,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        claimed_by: null,
        claim_expires_at: null,
        last_error: null,
        finished_at: null,
      })),
    )
    .execute();
}

/** One end user has one connection: ordering by end user keeps a delete before the next create, too. */
function orderingKeyOf(event: StoreEvent): string {
  return event.type === 'connect.failed' ? event.endUserId : event.connection.endUserId;
}

export async function recordEvent(db: Kysely<Database>, event: StoreEvent, now: string): Promise<void> {
  await db.transaction().execute((trx) => appendEvents(trx, [event], now));
}

export async function claimEvents(db: Kysely<Database>, claim: EventClaim): Promise<OutboxEvent[]> {
  const expiresAt = new Date(Date.parse(claim.now) + claim.leaseMs).toISOString();
  // In a transaction: on PostgreSQL every store transaction takes the instances' shared lock, so two
  // dispatchers' claims run one after the other instead of racing for the same rows and one coming back empty.
  const rows = await db.transaction().execute((trx) =>
    trx
      .updateTable('outbox_events')
      .set({ claimed_by: claim.holder, claim_expires_at: expiresAt })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox_events as e')
          .select('e.id')
          .where('e.status', '=', 'pending')
          .where('e.next_attempt_at', '<=', claim.now)
          .where((w) => w.or([w('e.claim_expires_at', 'is', null), w('e.claim_expires_at', '<=', claim.now)]))
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('outbox_events as earlier')
                  .select('earlier.id')
                  .whereRef('earlier.ordering_key', '=', 'e.ordering_key')
                  .whereRef('earlier.seq', '<', 'e.seq')
                  .where('earlier.status', '=', 'pending'),
              ),
            ),
          )
          .orderBy('e.seq')
          .limit(claim.limit),
      )
      // Again on the row itself: a concurrent claim that got there first makes this one skip it.
      .where('status', '=', 'pending')
      .where((w) => w.or([w('claim_expires_at', 'is', null), w('claim_expires_at', '<=', claim.now)]))
      .returningAll()
      .execute(),
  );
  return rows.map(toOutboxEvent).sort((a, b) => a.seq - b.seq);
}

function toOutboxEvent(row: OutboxEventRow): OutboxEvent {
  return {
    id: row.id,
    // PostgreSQL drivers may hand integers back as strings.
    seq: Number(row.seq),
    event: JSON.parse(row.payload) as StoreEvent,
    createdAt: row.created_at,
    attempts: Number(row.attempts),
  };
}

/** Only the holder of a live claim may finish it; a lost claim (expired, taken over) changes nothing. */
function finish(db: Kysely<Database>, id: string, holder: string) {
  return db.updateTable('outbox_events').where('id', '=', id).where('claimed_by', '=', holder).where('status', '=', 'pending');
}

export async function markEventDelivered(db: Kysely<Database>, id: string, holder: string, now: string): Promise<boolean> {
  const result = await finish(db, id, holder)
    .set((eb) => ({
      status: 'delivered',
      attempts: eb('attempts', '+', 1),
      finished_at: now,
      last_error: null,
      claimed_by: null,
      claim_expires_at: null,
    }))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function rescheduleEvent(
  db: Kysely<Database>,
  id: string,
  holder: string,
  retry: { nextAttemptAt: string; error: string },
): Promise<boolean> {
  const result = await finish(db, id, holder)
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: retry.nextAttemptAt,
      last_error: retry.error.slice(0, 500),
      claimed_by: null,
      claim_expires_at: null,
    }))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markEventFailed(db: Kysely<Database>, id: string, holder: string, failure: { now: string; error: string }): Promise<boolean> {
  const result = await finish(db, id, holder)
    .set((eb) => ({
      status: 'failed',
      attempts: eb('attempts', '+', 1),
      finished_at: failure.now,
      last_error: failure.error.slice(0, 500),
      claimed_by: null,
      claim_expires_at: null,
    }))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function outboxBacklog(db: Kysely<Database>): Promise<OutboxBacklog> {
  const row = await db
    .selectFrom('outbox_events')
    .select((eb) => [eb.fn.countAll().as('pending'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  // COUNT comes back as a number from SQLite and as a bigint string from PostgreSQL.
  return { pending: Number(row.pending), oldestCreatedAt: row.oldest ?? null };
}

export async function purgeFinishedEvents(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db
    .deleteFrom('outbox_events')
    .where('status', 'in', ['delivered', 'failed'])
    .where('finished_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
