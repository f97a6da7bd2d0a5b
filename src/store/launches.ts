// The launch: the launch code used, and the flow it starts stored, in one transaction. Two separate writes would
// let a database failure between them spend the connect link without starting a flow.

import { createFlow } from './flows.js';
import { prepareQuery } from './prepared-queries.js';
import { toConnectSession } from './records.js';
import type { ConnectSessionRow } from './schema.js';
import type { Statements } from './statements.js';
import type { FirstFlow, LaunchClaim } from './store.js';

const claimLaunchCode = prepareQuery<{ launchHash: string; now: string }, ConnectSessionRow>((db, { launchHash, now }) =>
  db.updateTable('connect_sessions').set({ launched_at: now }).where('launch_hash', '=', launchHash).where('launched_at', 'is', null).returningAll(),
);
const sessionByLaunchCode = prepareQuery<{ launchHash: string }, ConnectSessionRow>((db, { launchHash }) =>
  db.selectFrom('connect_sessions').selectAll().where('launch_hash', '=', launchHash),
);

/**
 * The launch code is single use: one conditional UPDATE decides which of any concurrent claims wins, with no
 * read-then-write window; the winner stores its first flow before the transaction commits. Only a loser reads
 * the row, to tell a used code from one that never existed.
 */
export async function claimLaunch(statements: Statements, launchHash: string, now: string, firstFlow?: FirstFlow): Promise<LaunchClaim> {
  const claimed = await statements.transaction(async (tx) => {
    const [row] = await tx.rows(claimLaunchCode, { launchHash, now });
    if (!row) return undefined;
    const session = toConnectSession(row);
    const flow = firstFlow?.(session);
    if (flow) await createFlow(tx, flow);
    return session;
  });
  if (claimed) return { outcome: 'claimed', session: claimed };

  const [used] = await statements.rows(sessionByLaunchCode, { launchHash });
  return used ? { outcome: 'used', session: toConnectSession(used) } : { outcome: 'unknown' };
}
