// The outbox: events written in the same transaction as the change they describe, so no committed change
// ever goes unannounced, then claimed and delivered by a dispatcher (src/events/). Correct on SQLite and on
// PostgreSQL with several instances: an end user's events are numbered (seq) in commit order, and a claim
// skips the rows another dispatcher is claiming (FOR UPDATE SKIP LOCKED) and re-checks the claim columns in
// its outer WHERE, so two dispatchers never hold the same event and neither comes back empty-handed.

import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Insertable, Kysely, Transaction } from 'kysely';
import type { Database, OutboxEventRow, OutboxEventsTable } from './schema.js';
import type { EventClaim, OutboxBacklog, OutboxEntry, OutboxEvent } from './store.js';
import { locksRows } from './transactions.js';

/**
 * Appends events, in order, inside the caller's transaction. A dispatcher must never see a later event of an
 * end user before an earlier one, so seq order has to be commit order per end user (ordering key):
 * - SQLite runs one writer at a time, and the counter row numbers events in that order;
 * - PostgreSQL locks the end users' ordering-key rows (sorted, so two transactions never wait in a circle)
 *   and only then takes numbers from the outbox_events_seq sequence (the column's default): a transaction
 *   writing events of the same end user waits for this one to commit before it gets its numbers, while
 *   transactions of other end users go ahead. Across end users seq is only roughly commit order, which
 *   nothing relies on. Appending is the last write of every transaction, so these locks never wait on rows.
 */
export async function appendEvents(trx: Transaction<Database>, events: OutboxEntry[], now: string): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(
    (event): Insertable<OutboxEventsTable> => ({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type: event.type,
      // One end user has one connection: ordering by end user keeps a delete before the next create, too.
      ordering_key: event.endUserId,
      connection_id: event.connectionId,
      payload: JSON.stringify(event.body),
      created_at: now,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      claimed_by: null,
      claim_expires_at: null,
      last_error: null,
      finished_at: null,
    }),
  );
  if (locksRows(trx)) {
    await lockOrderingKeys(
      trx,
      rows.map((row) => row.ordering_key),
      now,
    );
    await trx.insertInto('outbox_events').values(rows).execute();
    return;
  }
  const { value } = await trx
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', events.length) }))
    .where('name', '=', 'outbox_events')
    .returning('value')
    .executeTakeFirstOrThrow();
  const first = Number(value) - events.length + 1;
  await trx
    .insertInto('outbox_events')
    .values(rows.map((row, index) => ({ ...row, seq: first + index })))
    .execute();
}

/** PostgreSQL: one row per ordering key, locked (created the first time) until the transaction ends. */
async function lockOrderingKeys(trx: Transaction<Database>, keys: string[], now: string): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  await trx
    .insertInto('outbox_ordering_keys')
    .values(sorted.map((key) => ({ ordering_key: key, last_event_at: now })))
    .onConflict((oc) => oc.column('ordering_key').doUpdateSet((eb) => ({ last_event_at: eb.ref('excluded.last_event_at') })))
    .execute();
}

export async function claimEvents(db: Kysely<Database>, claim: EventClaim): Promise<OutboxEvent[]> {
  const expiresAt = new Date(Date.parse(claim.now) + claim.leaseMs).toISOString();
  const claimed = { claimed_by: claim.holder, claim_expires_at: expiresAt };
  const unclaimed = (w: ExpressionBuilder<Database, 'outbox_events'>) =>
    w.or([w('claim_expires_at', 'is', null), w('claim_expires_at', '<=', claim.now)]);
  // One statement: atomic on both back ends. On PostgreSQL the due events are picked once (a materialized
  // CTE: as a subquery of the UPDATE it could be run again for every row, each time past the rows this very
  // statement has just claimed) and locked as they are picked, skipping those another dispatcher's claim has
  // locked: concurrent claims take the next due events instead of queueing for rows they would find claimed.
  const rows = locksRows(db)
    ? await db
        .with(
          (cte) => cte('due').materialized(),
          () => dueEvents(db, claim).forUpdate().skipLocked(),
        )
        .updateTable('outbox_events')
        .set(claimed)
        .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
        .where('status', '=', 'pending')
        .where(unclaimed)
        .returningAll()
        .execute()
    : await db
        .updateTable('outbox_events')
        .set(claimed)
        .where('id', 'in', dueEvents(db, claim))
        .where('status', '=', 'pending')
        .where(unclaimed)
        .returningAll()
        .execute();
  return rows.map(toOutboxEvent).sort((a, b) => a.seq - b.seq);
}

/**
 * The oldest due events, for each end user only the oldest pending one. That rule reads rows without locking
 * them: a claimed event is still pending, so it keeps its end user's later ones back.
 */
function dueEvents(db: Kysely<Database>, claim: EventClaim) {
  return db
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
    .limit(claim.limit);
}

function toOutboxEvent(row: OutboxEventRow): OutboxEvent {
  return {
    id: row.id,
    // PostgreSQL drivers may hand integers back as strings.
    seq: Number(row.seq),
    type: row.type,
    body: JSON.parse(row.payload) as unknown,
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
