// Flows: one OAuth round trip (state, PKCE verifier, binding cookie), consumed once by its callback.

import type { Kysely } from 'kysely';
import { findSessionById } from './connect-sessions.js';
import { flowRow, toFlow } from './records.js';
import type { Database } from './schema.js';
import type { FlowClaim, FlowRecord } from './store.js';
import { inTransaction } from './transactions.js';

export async function createFlow(db: Kysely<Database>, flow: FlowRecord): Promise<void> {
  await db.insertInto('flows').values(flowRow(flow)).execute();
}

/**
 * RFC 9700 wants the state single use, and consumed before `code` or `error` is looked at: one conditional
 * UPDATE decides the winner among concurrent callbacks. The winner reads its session in the same transaction,
 * so a purge running alongside cannot delete the session between the two statements.
 */
export async function consumeFlow(db: Kysely<Database>, stateHash: string, now: string): Promise<FlowClaim> {
  const consumed = await inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('flows')
      .set({ consumed_at: now })
      .where('state_hash', '=', stateHash)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const flow = toFlow(row);
    return { flow, session: await findSessionById(trx, flow.sessionId) };
  });
  if (consumed) {
    // The foreign key makes a flow without its session impossible; reaching this means the schema is not ours.
    if (!consumed.session) throw new Error(`Store inconsistency: flow ${consumed.flow.id} has no connect session`);
    return { outcome: 'consumed', flow: consumed.flow, session: consumed.session };
  }
  return reusedOrUnknown(db, stateHash);
}

async function reusedOrUnknown(db: Kysely<Database>, stateHash: string): Promise<FlowClaim> {
  const row = await db.selectFrom('flows').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
  if (!row) return { outcome: 'unknown' };
  const flow = toFlow(row);
  return { outcome: 'reused', flow, session: await findSessionById(db, flow.sessionId), connectionId: row.connection_id };
}

export async function recordFlowConnected(db: Kysely<Database>, flowId: string, connectionId: string): Promise<void> {
  await db.updateTable('flows').set({ connection_id: connectionId }).where('id', '=', flowId).execute();
}
