// Connections: one per end user, pointing at the Recall credential that stands for their Zoom authorization.
// Several connections may share one credential (an account-level Zoom app), so credential-wide changes
// (detach, health) apply to every connection that uses it.

import type { Kysely } from 'kysely';
import { connectionStatusFor, toConnection } from './records.js';
import type { Database } from './schema.js';
import type { ConnectionListQuery, ConnectionRecord, HealthUpdate } from './store.js';

export async function getConnection(db: Kysely<Database>, id: string): Promise<ConnectionRecord | undefined> {
  const row = await db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toConnection(row);
}

export async function getConnectionByEndUser(
  db: Kysely<Database>,
  endUserId: string,
): Promise<ConnectionRecord | undefined> {
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
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(toConnection);
}

export async function countCredentialUsers(
  db: Kysely<Database>,
  credentialId: string,
  exceptConnectionId?: string,
): Promise<number> {
  let select = db
    .selectFrom('connections')
    .select((eb) => eb.fn.countAll().as('users'))
    .where('recall_credential_id', '=', credentialId);
  if (exceptConnectionId !== undefined) select = select.where('id', '<>', exceptConnectionId);
  const { users } = await select.executeTakeFirstOrThrow();
  // COUNT comes back as a number from SQLite and as a bigint string from PostgreSQL.
  return Number(users);
}

export async function detachCredential(db: Kysely<Database>, credentialId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('connections')
    .set({ recall_credential_id: null, recall_status: null, status: 'needs_reauth', updated_at: now })
    .where('recall_credential_id', '=', credentialId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * A health check touches last_checked_at every time, but updated_at only when something a consumer would act
 * on changed (status or recall_status), so a periodic sync does not make every connection look fresh.
 */
export async function recordCredentialHealth(
  db: Kysely<Database>,
  credentialId: string,
  update: HealthUpdate,
): Promise<ConnectionRecord[]> {
  const status = connectionStatusFor(update.recallStatus);
  const rows = await db
    .updateTable('connections')
    .set((eb) => ({
      updated_at: eb
        .case()
        .when(
          eb.or([
            eb('status', '<>', status),
            eb('recall_status', 'is', null),
            eb('recall_status', '<>', update.recallStatus),
          ]),
        )
        .then(update.checkedAt)
        .else(eb.ref('updated_at'))
        .end(),
      status,
      recall_status: update.recallStatus,
      meeting_sync_status: update.meetingSyncStatus,
      last_checked_at: update.checkedAt,
    }))
    .where('recall_credential_id', '=', credentialId)
    .returningAll()
    .execute();
  return rows.map(toConnection);
}

export async function deleteConnection(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
