// Connect sessions: created for one end user, found by their token, launched once by their launch code.

import type { Kysely } from 'kysely';
import { connectSessionRow, toConnectSession } from './records.js';
import type { Database } from './schema.js';
import type { ConnectSessionRecord, LaunchClaim } from './store.js';

export async function createConnectSession(db: Kysely<Database>, session: ConnectSessionRecord): Promise<void> {
  await db.insertInto('connect_sessions').values(connectSessionRow(session)).execute();
}

export async function findSessionByToken(db: Kysely<Database>, tokenHash: string): Promise<ConnectSessionRecord | undefined> {
  const row = await db.selectFrom('connect_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && toConnectSession(row);
}

export async function findSessionById(db: Kysely<Database>, id: string): Promise<ConnectSessionRecord | undefined> {
  const row = await db.selectFrom('connect_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toConnectSession(row);
}

/**
 * The launch code is single use: one conditional UPDATE decides which of any concurrent claims wins, with no
 * read-then-write window. Only a loser reads the row, to tell a used code from one that never existed.
 */
export async function claimLaunch(db: Kysely<Database>, launchHash: string, now: string): Promise<LaunchClaim> {
  const claimed = await db
    .updateTable('connect_sessions')
    .set({ launched_at: now })
    .where('launch_hash', '=', launchHash)
    .where('launched_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (claimed) return { outcome: 'claimed', session: toConnectSession(claimed) };

  const used = await db.selectFrom('connect_sessions').selectAll().where('launch_hash', '=', launchHash).executeTakeFirst();
  return used ? { outcome: 'used', session: toConnectSession(used) } : { outcome: 'unknown' };
}
