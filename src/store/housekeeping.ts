// Housekeeping: purging what has expired long enough ago, and the readiness probe.

import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Expired sessions and flows are kept `retentionMs` longer so a late callback can still be told
 * state_expired or state_reused instead of state_invalid. A session outlives its flows: it is purged only
 * once none of its flows remain, so the ON DELETE CASCADE never takes a flow that is still retained.
 */
export async function purgeExpired(db: Kysely<Database>, now: string, retentionMs: number): Promise<{ sessions: number; flows: number }> {
  const cutoff = new Date(Date.parse(now) - retentionMs).toISOString();
  const flows = await db.deleteFrom('flows').where('expires_at', '<', cutoff).executeTakeFirst();
  const sessions = await db
    .deleteFrom('connect_sessions')
    .where('expires_at', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('flows').select('flows.id').whereRef('flows.session_id', '=', 'connect_sessions.id'))),
    )
    .executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), flows: Number(flows.numDeletedRows) };
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
