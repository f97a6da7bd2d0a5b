// Connect sessions: created for one end user, found by their token, launched once by their launch code
// (launches.ts).

import { prepareQuery } from './prepared-queries.js';
import { connectSessionRow, toConnectSession } from './records.js';
import type { ConnectSessionRow } from './schema.js';
import type { Statements } from './statements.js';
import type { ConnectSessionRecord } from './store.js';

const insertSession = prepareQuery<ConnectSessionRow, never>((db, row) =>
  db.insertInto('connect_sessions').values({
    id: row.id,
    token_hash: row.token_hash,
    launch_hash: row.launch_hash,
    end_user_id: row.end_user_id,
    return_to: row.return_to,
    mode: row.mode,
    created_at: row.created_at,
    expires_at: row.expires_at,
    launched_at: row.launched_at,
  }),
);
const sessionByToken = prepareQuery<{ tokenHash: string }, ConnectSessionRow>((db, { tokenHash }) =>
  db.selectFrom('connect_sessions').selectAll().where('token_hash', '=', tokenHash),
);

export async function createConnectSession(statements: Statements, session: ConnectSessionRecord): Promise<void> {
  await statements.changes(insertSession, connectSessionRow(session));
}

export async function findSessionByToken(statements: Statements, tokenHash: string): Promise<ConnectSessionRecord | undefined> {
  const [row] = await statements.rows(sessionByToken, { tokenHash });
  return row && toConnectSession(row);
}
