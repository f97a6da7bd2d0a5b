// Where a long job stopped, so that the next run (on any instance) goes on from there: the health sync's walk
// through Recall's list of unhealthy credentials, page after page, across as many runs as the list budget needs.

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { SyncPosition } from './store.js';

export async function readSyncPosition(db: Kysely<Database>, name: string): Promise<SyncPosition | undefined> {
  const row = await db.selectFrom('sync_positions').select(['cursor', 'pass_started_at']).where('name', '=', name).executeTakeFirst();
  return row && { cursor: row.cursor, passStartedAt: row.pass_started_at };
}

/** Saves where the job stands, or forgets it (null: the next run starts from the beginning). */
export async function saveSyncPosition(db: Kysely<Database>, name: string, position: SyncPosition | null, now: string): Promise<void> {
  if (position === null) {
    await db.deleteFrom('sync_positions').where('name', '=', name).execute();
    return;
  }
  const values = { cursor: position.cursor, pass_started_at: position.passStartedAt, updated_at: now };
  await db
    .insertInto('sync_positions')
    .values({ name, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
}
