// The launch: the launch code used, and the flow it starts stored, in one transaction. Two separate writes would
// let a database failure between them spend the connect link without starting a flow.

import type { Kysely } from 'kysely';
import { createFlow } from './flows.js';
import { toConnectSession } from './records.js';
import type { Database } from './schema.js';
import type { FirstFlow, LaunchClaim } from './store.js';
import { inTransaction } from './transactions.js';

/**
 * The launch code is single use: one conditional UPDATE decides which of any concurrent claims wins, with no
 * read-then-write window; the winner stores its first flow before the transaction commits. Only a loser reads
 * the row, to tell a used code from one that never existed.
 */
export async function claimLaunch(db: Kysely<Database>, launchHash: string, now: string, firstFlow?: FirstFlow): Promise<LaunchClaim> {
  const claimed = await inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('connect_sessions')
      .set({ launched_at: now })
      .where('launch_hash', '=', launchHash)
      .where('launched_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const session = toConnectSession(row);
    const flow = firstFlow?.(session);
    if (flow) await createFlow(trx, flow);
    return session;
  });
  if (claimed) return { outcome: 'claimed', session: claimed };

  const used = await db.selectFrom('connect_sessions').selectAll().where('launch_hash', '=', launchHash).executeTakeFirst();
  return used ? { outcome: 'used', session: toConnectSession(used) } : { outcome: 'unknown' };
}
