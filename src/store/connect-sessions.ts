// Connect sessions: created for one end user, found by their token, launched once by their launch code.

import type { Kysely } from 'kysely';
import { connectSessionRow, toConnectSession } from './records.js';
import type { Database } from './schema.js';
import type { ConnectSessionRecord } from './store.js';

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
