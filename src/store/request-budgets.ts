// Recall's rate limits are per workspace (60 list calls a minute, 300 for the others), so every gateway instance
// on a database spends one budget, kept here. A budget of N calls a minute is N slots, each holding when it was
// last granted: a call takes a slot last granted a minute ago or more. That is exactly "at most N in any 60
// seconds", and taking one is a conditional UPDATE of one row (granted_at still a minute old), atomic on SQLite
// and on PostgreSQL: of two instances racing for a slot, one gets it and the other looks for the next.

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { BudgetGrant, RequestBudgetName } from './store.js';

const WINDOW_MS = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** When an unused slot was last granted: before any real time (and it sorts first as text). */
const NEVER = '0000-01-01T00:00:00.000Z';

export async function takeRequestSlot(db: Kysely<Database>, budget: RequestBudgetName, now: string): Promise<BudgetGrant> {
  const paused = await db.selectFrom('request_budget_pauses').select('paused_until').where('budget', '=', budget.name).executeTakeFirst();
  if (paused && paused.paused_until > now) return { granted: false, retryAt: paused.paused_until };
  const cutoff = iso(Date.parse(now) - WINDOW_MS);
  const slots = db.selectFrom('request_budget_slots').where('budget', '=', budget.name).where('slot', '<', budget.perMinute);
  // Each lost race means another instance took a slot: this ends within perMinute rounds.
  for (;;) {
    const free = await slots.select('slot').where('granted_at', '<=', cutoff).orderBy('granted_at').orderBy('slot').limit(1).executeTakeFirst();
    if (!free) {
      const { count, oldest } = await slots
        .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('granted_at').as('oldest')])
        .executeTakeFirstOrThrow();
      if (Number(count) < budget.perMinute) {
        await createSlots(db, budget);
        continue;
      }
      // Slots another instance created, or freed, since the look above: look again.
      if (String(oldest) <= cutoff) continue;
      return { granted: false, retryAt: iso(Date.parse(String(oldest)) + WINDOW_MS) };
    }
    const taken = await db
      .updateTable('request_budget_slots')
      .set({ granted_at: now })
      .where('budget', '=', budget.name)
      .where('slot', '=', free.slot)
      .where('granted_at', '<=', cutoff)
      .returning('slot')
      .executeTakeFirst();
    if (taken) return { granted: true };
  }
}

/** A budget's slots, created on first use (and when perMinute grows); an unused slot was never granted. */
async function createSlots(db: Kysely<Database>, budget: RequestBudgetName): Promise<void> {
  const rows = Array.from({ length: budget.perMinute }, (_, slot) => ({ budget: budget.name, slot, granted_at: NEVER }));
  await db
    .insertInto('request_budget_slots')
    .values(rows)
    .onConflict((oc) => oc.columns(['budget', 'slot']).doNothing())
    .execute();
}

/** Recall answered 429: nothing of this budget goes out before `until` (a later pause wins). */
export async function pauseRequests(db: Kysely<Database>, name: string, until: string): Promise<void> {
  await db
    .insertInto('request_budget_pauses')
    .values({ budget: name, paused_until: until })
    .onConflict((oc) => oc.column('budget').doUpdateSet({ paused_until: until }).where('request_budget_pauses.paused_until', '<', until))
    .execute();
}
