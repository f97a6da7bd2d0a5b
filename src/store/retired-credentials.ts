// Retired credentials (tombstones) and the deletes at Recall the gateway still owes for some of them. A retired
// credential never gets a connection again: a callback Recall answered with it before it was deleted finds it
// here and starts over. A delete the gateway owes (it moved the connections first, then deletes at Recall) stays
// listed until Recall confirms the credential gone, so neither a crash nor a failed delete forgets it.

import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { CredentialRetirements, OwedDeletion, RetiredCredential } from './store.js';
import { locksRows } from './transactions.js';

// The advisory lock space of a credential's tombstone: "ZCGW" and the credential id's hash (a collision only
// makes two credentials' saves and tombstones wait on each other).
const tombstoneLockSpace = 0x5a434757;

/**
 * A save onto a credential and the retirement of that credential never overlap (PostgreSQL; SQLite runs one
 * writer at a time anyway). Saves share the lock, so they never wait on each other; a retirement waits for the
 * saves in flight to commit, so what it reads next (who still uses the credential) sees their rows, and every
 * later save sees the tombstone. Without it a save that checked before the tombstone could commit after the
 * detach, leaving a connection on a credential Recall no longer has.
 */
export async function lockCredentialTombstone(trx: Transaction<Database>, credentialId: string, by: 'save' | 'retire'): Promise<void> {
  if (!locksRows(trx)) return;
  const lock = by === 'save' ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`;
  await sql`select ${lock}(${sql.lit(tombstoneLockSpace)}, hashtext(${credentialId}))`.execute(trx);
}

export function credentialRetirements(trx: Transaction<Database>): CredentialRetirements {
  return {
    hold: (credentialId) => lockCredentialTombstone(trx, credentialId, 'retire'),
    async retire(credentialId, now, { deletionOwed }) {
      await lockCredentialTombstone(trx, credentialId, 'retire');
      await trx
        .insertInto('deleted_credentials')
        .values({ id: credentialId, deleted_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      if (!deletionOwed) return;
      await trx
        .insertInto('owed_credential_deletions')
        .values({ credential_id: credentialId, owed_since: now, attempts: 0, next_attempt_at: now, last_error: null })
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .execute();
    },
    async settleDeletion(credentialId) {
      await trx.deleteFrom('owed_credential_deletions').where('credential_id', '=', credentialId).execute();
    },
    async postponeDeletion(credentialId, retry) {
      await trx
        .updateTable('owed_credential_deletions')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: retry.nextAttemptAt, last_error: retry.error.slice(0, 200) }))
        .where('credential_id', '=', credentialId)
        .execute();
    },
  };
}

export async function retiredCredential(db: Kysely<Database>, credentialId: string): Promise<RetiredCredential | undefined> {
  const row = await db
    .selectFrom('deleted_credentials')
    .leftJoin('owed_credential_deletions', 'owed_credential_deletions.credential_id', 'deleted_credentials.id')
    .select(['deleted_credentials.deleted_at', 'owed_credential_deletions.credential_id'])
    .where('deleted_credentials.id', '=', credentialId)
    .executeTakeFirst();
  return row && { retiredAt: row.deleted_at, deletionOwed: row.credential_id !== null };
}

export async function deletionsOwed(db: Kysely<Database>, now: string, limit: number): Promise<OwedDeletion[]> {
  const rows = await db
    .selectFrom('owed_credential_deletions')
    .select(['credential_id', 'attempts'])
    .where('next_attempt_at', '<=', now)
    .orderBy('owed_since')
    .orderBy('credential_id')
    .limit(limit)
    .execute();
  // PostgreSQL drivers may hand integers back as strings.
  return rows.map((row) => ({ credentialId: row.credential_id, attempts: Number(row.attempts) }));
}
