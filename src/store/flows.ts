// Flows: one OAuth round trip (state, PKCE verifier, binding cookie), consumed once by its callback.

import { prepareQuery } from './prepared-queries.js';
import { flowRow, toConnectSession, toFlow } from './records.js';
import type { ConnectSessionRow, FlowRow } from './schema.js';
import type { Statements } from './statements.js';
import type { ConnectSessionRecord, FlowClaim, FlowRecord } from './store.js';

const insertFlow = prepareQuery<FlowRow, never>((db, row) =>
  db.insertInto('flows').values({
    id: row.id,
    state_hash: row.state_hash,
    binding_hash: row.binding_hash,
    session_id: row.session_id,
    code_verifier: row.code_verifier,
    issuer: row.issuer,
    attempt: row.attempt,
    created_at: row.created_at,
    expires_at: row.expires_at,
    consumed_at: row.consumed_at,
    connection_id: row.connection_id,
  }),
);

/** The flow with this state and its session's columns (s_*, null once the session is purged), in one read. */
const flowWithSession = prepareQuery<{ stateHash: string }, FlowRow & SessionColumns>((db, { stateHash }) =>
  db
    .selectFrom('flows')
    .leftJoin('connect_sessions as s', 's.id', 'flows.session_id')
    .selectAll('flows')
    .select([
      's.id as s_id',
      's.token_hash as s_token_hash',
      's.launch_hash as s_launch_hash',
      's.end_user_id as s_end_user_id',
      's.return_to as s_return_to',
      's.mode as s_mode',
      's.created_at as s_created_at',
      's.expires_at as s_expires_at',
      's.launched_at as s_launched_at',
    ])
    .where('flows.state_hash', '=', stateHash),
);

const consumeUnconsumed = prepareQuery<{ id: string; now: string }, never>((db, { id, now }) =>
  db.updateTable('flows').set({ consumed_at: now, code_verifier: '' }).where('id', '=', id).where('consumed_at', 'is', null),
);

const recordConnection = prepareQuery<{ flowId: string; connectionId: string }, never>((db, { flowId, connectionId }) =>
  db.updateTable('flows').set({ connection_id: connectionId }).where('id', '=', flowId),
);

type SessionColumns = { [K in keyof ConnectSessionRow as `s_${K}`]: ConnectSessionRow[K] | null };

export async function createFlow(statements: Statements, flow: FlowRecord): Promise<void> {
  await statements.changes(insertFlow, flowRow(flow));
}

/**
 * RFC 9700 wants the state single use, and consumed before `code` or `error` is looked at: one conditional
 * UPDATE decides the winner among concurrent callbacks, and the same write clears the PKCE verifier, which
 * nothing needs after this callback's one create at Recall (the winner has it from the read before). The read
 * takes the flow with its session; if a purge deletes them between the read and the UPDATE, the UPDATE changes
 * nothing and the state reads again as what it has become.
 */
export async function consumeFlow(statements: Statements, stateHash: string, now: string): Promise<FlowClaim> {
  const found = await findFlow(statements, stateHash);
  if (found === undefined) return { outcome: 'unknown' };
  if (found.row.consumed_at !== null) return reused(found);
  if ((await statements.changes(consumeUnconsumed, { id: found.row.id, now })) === 0) {
    // Another callback consumed it first (or a purge removed it) since the read.
    const again = await findFlow(statements, stateHash);
    return again === undefined ? { outcome: 'unknown' } : reused(again);
  }
  // The foreign key makes a flow without its session impossible; reaching this means the schema is not ours.
  if (!found.session) throw new Error(`Store inconsistency: flow ${found.row.id} has no connect session`);
  return { outcome: 'consumed', flow: { ...toFlow(found.row), consumedAt: now }, session: found.session };
}

export async function recordFlowConnected(statements: Statements, flowId: string, connectionId: string): Promise<void> {
  await statements.changes(recordConnection, { flowId, connectionId });
}

interface FoundFlow {
  row: FlowRow;
  session: ConnectSessionRecord | undefined;
}

const reused = ({ row, session }: FoundFlow): FlowClaim => ({ outcome: 'reused', flow: toFlow(row), session, connectionId: row.connection_id });

async function findFlow(statements: Statements, stateHash: string): Promise<FoundFlow | undefined> {
  const [row] = await statements.rows(flowWithSession, { stateHash });
  if (row === undefined) return undefined;
  const { s_id, s_token_hash, s_launch_hash, s_end_user_id, s_return_to, s_mode, s_created_at, s_expires_at, s_launched_at, ...flow } = row;
  const session =
    s_id === null
      ? undefined
      : toConnectSession({
          id: s_id,
          token_hash: s_token_hash!,
          launch_hash: s_launch_hash!,
          end_user_id: s_end_user_id!,
          return_to: s_return_to,
          mode: s_mode!,
          created_at: s_created_at!,
          expires_at: s_expires_at!,
          launched_at: s_launched_at,
        });
  return { row: flow, session };
}
