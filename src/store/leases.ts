// Leases: a named job (the health sync) runs on one instance at a time. Taking or extending a lease is one
// INSERT ... ON CONFLICT DO UPDATE ... WHERE, atomic on SQLite and on PostgreSQL: of two instances racing for
// an expired lease exactly one gets it, and a holder extends its own lease with the same statement.

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Lease } from './store.js';

export async function acquireLease(db: Kysely<Database>, lease: Lease): Promise<boolean> {
  const expiresAt = new Date(Date.parse(lease.now) + lease.ttlMs).toISOString();
  const row = await db
    .insertInto('leases')
    .values({ name: lease.name, holder: lease.holder, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder: lease.holder, expires_at: expiresAt })
        .where((eb) => eb.or([eb('leases.expires_at', '<=', lease.now), eb('leases.holder', '=', lease.holder)])),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === lease.holder;
}

export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}
