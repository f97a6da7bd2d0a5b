// Connections: one per end user, pointing at the Recall credential that stands for their Zoom authorization.
// Several connections may share one credential (an account-level Zoom app), so credential-wide changes
// (detach, health) apply to every connection that uses it.

import type { Kysely, Transaction } from 'kysely';
import { connectionStatusFor, toConnection } from './records.js';
import { pairChanges } from './save-connection.js';
import type { Database } from './schema.js';
import type { ConnectionChange, ConnectionListQuery, ConnectionRecord, HealthUpdate } from './store.js';
import { lockedInIdOrder } from './transactions.js';

export async function getConnection(db: Kysely<Database>, id: string): Promise<ConnectionRecord | undefined> {
  const row = await db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toConnection(row);
}

export async function getConnectionByEndUser(db: Kysely<Database>, endUserId: string): Promise<ConnectionRecord | undefined> {
  const row = await db.selectFrom('connections').selectAll().where('end_user_id', '=', endUserId).executeTakeFirst();
  return row && toConnection(row);
}

/** Newest first; `after` is a keyset position, so pages stay stable while rows are added. */
export async function listConnections(db: Kysely<Database>, query: ConnectionListQuery): Promise<ConnectionRecord[]> {
  let select = db.selectFrom('connections').selectAll();
  if (query.endUserId !== undefined) select = select.where('end_user_id', '=', query.endUserId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const after = query.after;
  if (after !== undefined) {
    select = select.where((eb) =>
      eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
    );
  }
  const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(toConnection);
}

export async function countCredentialUsers(db: Kysely<Database>, credentialId: string, exceptConnectionId?: string): Promise<number> {
  let select = db
    .selectFrom('connections')
    .select((eb) => eb.fn.countAll().as('users'))
    .where('recall_credential_id', '=', credentialId);
  if (exceptConnectionId !== undefined) select = select.where('id', '<>', exceptConnectionId);
  const { users } = await select.executeTakeFirstOrThrow();
  // COUNT comes back as a number from SQLite and as a bigint string from PostgreSQL.
  return Number(users);
}

/** The reason a detached connection gives: its credential is gone at Recall and nothing replaced it. */
export const CREDENTIAL_GONE = 'Recall no longer has the Zoom authorization of this connection (its credential was deleted).';

export async function connectionsOnCredential(db: Kysely<Database>, credentialId: string): Promise<ConnectionRecord[]> {
  const rows = await db.selectFrom('connections').selectAll().where('recall_credential_id', '=', credentialId).orderBy('id').execute();
  return rows.map(toConnection);
}

export async function detachCredential(trx: Transaction<Database>, credentialId: string, now: string): Promise<ConnectionChange[]> {
  const before = await trx
    .selectFrom('connections')
    .selectAll()
    .where('recall_credential_id', '=', credentialId)
    .$call(lockedInIdOrder(trx))
    .execute();
  const after = await trx
    .updateTable('connections')
    .set({
      recall_credential_id: null,
      recall_status: null,
      recall_credential_created_at: null,
      status: 'needs_reauth',
      reauth_reason: CREDENTIAL_GONE,
      updated_at: now,
    })
    .where('recall_credential_id', '=', credentialId)
    .returningAll()
    .execute();
  return pairChanges(before, after);
}

/**
 * A health check touches last_checked_at every time, but updated_at only when something a consumer would act
 * on changed (status or recall_status), so a periodic sync does not make every connection look fresh.
 */
export async function recordHealth(trx: Transaction<Database>, credentialId: string, update: HealthUpdate): Promise<ConnectionChange[]> {
  const status = connectionStatusFor(update.recallStatus);
  const observedAt = update.observedAt;
  let before = trx.selectFrom('connections').selectAll().where('recall_credential_id', '=', credentialId);
  let change = trx
    .updateTable('connections')
    .set((eb) => ({
      updated_at: eb
        .case()
        .when(eb.or([eb('status', '<>', status), eb('recall_status', 'is', null), eb('recall_status', '<>', update.recallStatus)]))
        .then(update.checkedAt)
        .else(eb.ref('updated_at'))
        .end(),
      status,
      recall_status: update.recallStatus,
      meeting_sync_status: update.meetingSyncStatus,
      last_checked_at: update.checkedAt,
      reauth_reason: status === 'connected' ? null : update.reauthReason === undefined ? eb.ref('reauth_reason') : update.reauthReason,
    }))
    .where('recall_credential_id', '=', credentialId);
  if (observedAt !== undefined) {
    before = before.where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', observedAt)]));
    change = change.where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', observedAt)]));
  }
  // On PostgreSQL the rows are locked first, in id order.
  const previous = await before.$call(lockedInIdOrder(trx)).execute();
  return pairChanges(previous, await change.returningAll().execute());
}

export async function deleteConnection(trx: Transaction<Database>, id: string): Promise<ConnectionRecord | undefined> {
  const row = await trx.deleteFrom('connections').where('id', '=', id).returningAll().executeTakeFirst();
  return row && toConnection(row);
}

/** The credentials some connection last saw unhealthy: the health sync re-reads those Recall no longer lists. */
export async function listUnhealthyCredentialIds(db: Kysely<Database>, checkedAtOrBefore?: string): Promise<string[]> {
  let select = db
    .selectFrom('connections')
    .select('recall_credential_id')
    .distinct()
    .where('recall_status', '=', 'unhealthy')
    .where('recall_credential_id', 'is not', null);
  if (checkedAtOrBefore !== undefined) {
    select = select.where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', checkedAtOrBefore)]));
  }
  const rows = await select.orderBy('recall_credential_id').execute();
  return rows.flatMap((row) => (row.recall_credential_id === null ? [] : [row.recall_credential_id]));
}

/** Credentials whose least recently checked connection was checked before `checkedBefore` (or never), oldest first. */
export async function listCredentialsCheckedBefore(db: Kysely<Database>, checkedBefore: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('connections')
    .select((eb) => ['recall_credential_id', eb.fn.min(eb.fn.coalesce('last_checked_at', eb.val(''))).as('checked')])
    .where('recall_credential_id', 'is not', null)
    .groupBy('recall_credential_id')
    .having((eb) => eb.fn.min(eb.fn.coalesce('last_checked_at', eb.val(''))), '<', checkedBefore)
    .orderBy('checked')
    .orderBy('recall_credential_id')
    .limit(limit)
    .execute();
  return rows.flatMap((row) => (row.recall_credential_id === null ? [] : [row.recall_credential_id]));
}
