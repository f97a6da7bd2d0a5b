// Saving a connection after Recall registered (or re-registered) a credential. Everything happens in one
// transaction: the end user's own connection, the connections that move off replaced credentials, and the
// detached ones that belong to the same Zoom identity, so no reader ever sees a half-moved credential. The
// events the save makes go to the outbox in that same transaction.

import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import { savedConnectionEvents, statusChanges } from './connection-events.js';
import { appendEvents } from './outbox.js';
import { connectionStatusFor, toConnection } from './records.js';
import type { ConnectionRow, ConnectionsTable, Database } from './schema.js';
import { CredentialDeletedError, type CredentialSnapshot, type SaveConnectionInput, type SaveConnectionResult, type StoreEvent } from './store.js';
import { inTransaction, lockedInIdOrder, locksRows } from './transactions.js';

type CredentialFields = Pick<
  ConnectionsTable,
  'status' | 'recall_credential_id' | 'recall_status' | 'zoom_user_id' | 'zoom_account_id' | 'meeting_sync_status' | 'reauth_reason'
>;

export async function saveConnection(db: Kysely<Database>, input: SaveConnectionInput): Promise<SaveConnectionResult> {
  return inTransaction(db, async (trx) => {
    // Recall answered with this credential, but another flow has deleted it since: saving would leave
    // connections on a credential Recall no longer has. (The check and the writes share one transaction.)
    await lockCredentialTombstone(trx, input.credential.id, 'save');
    const tombstone = await trx.selectFrom('deleted_credentials').select('id').where('id', '=', input.credential.id).executeTakeFirst();
    if (tombstone !== undefined) throw new CredentialDeletedError(input.credential.id);
    const fields = credentialFields(input.credential);
    const { existing, own } = await upsertOwnConnection(trx, input, fields);

    const moved = await moveReplacedCredentials(trx, own.id, input, fields);
    const relinked = await relinkDetachedConnections(trx, own.id, input, fields);
    if (input.recordEvents) await appendEvents(trx, [...savedConnectionEvents(existing, own), ...moved, ...relinked], input.now);

    const old = existing?.recall_credential_id ?? null;
    const previousCredentialId = old !== null && old !== input.credential.id ? old : null;
    return {
      connection: toConnection(own),
      created: existing === undefined,
      previousCredentialId,
      previousCredentialStillUsed: previousCredentialId !== null && (await isCredentialUsed(trx, previousCredentialId)),
    };
  });
}

/**
 * The end user's connection, created or updated, and the row as it was before (undefined when created). A
 * first save is INSERT ... ON CONFLICT DO NOTHING: when a concurrent first save of the same end user got there
 * first (PostgreSQL makes this insert wait for it to commit), its row is locked and updated instead.
 */
async function upsertOwnConnection(
  trx: Transaction<Database>,
  input: SaveConnectionInput,
  fields: CredentialFields,
): Promise<{ existing: ConnectionRow | undefined; own: ConnectionRow }> {
  // Twice at most in practice; a third round means the row was deleted in between as well.
  for (let round = 0; round < 3; round++) {
    const existing = await lockAffectedConnections(trx, input);
    if (existing) {
      const own = await trx
        .updateTable('connections')
        .set({ ...fields, updated_at: input.now, last_checked_at: input.now })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { existing, own };
    }
    const created = await trx
      .insertInto('connections')
      .values({
        ...fields,
        id: input.newConnectionId,
        end_user_id: input.endUserId,
        created_at: input.now,
        updated_at: input.now,
        last_checked_at: input.now,
      })
      .onConflict((oc) => oc.column('end_user_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (created) return { existing: undefined, own: created };
  }
  throw new Error(`The connection of end user ${input.endUserId} kept being created and deleted while it was saved.`);
}

/**
 * Locks, in id order, every connection row this save changes or counts: the end user's own, those on the
 * credentials it replaces (moved below), and those on the end user's current credential (whether anyone is
 * left on it decides if it is deleted at Recall). Two saves that share any of these rows queue on them, in
 * the same order, instead of deadlocking or both concluding the other still uses the old credential.
 * Returns the end user's own row, as it is now.
 */
async function lockAffectedConnections(trx: Transaction<Database>, input: SaveConnectionInput): Promise<ConnectionRow | undefined> {
  if (!locksRows(trx)) return trx.selectFrom('connections').selectAll().where('end_user_id', '=', input.endUserId).executeTakeFirst();
  const lock = async () => {
    const rows = await trx
      .selectFrom('connections')
      .selectAll()
      .select((eb) => currentCredentialOf(eb, input.endUserId).as('locked_credential_id'))
      .where((eb) =>
        eb.or([
          eb('end_user_id', '=', input.endUserId),
          eb('recall_credential_id', '=', currentCredentialOf(eb, input.endUserId)),
          ...(input.replacesCredentialIds.length > 0 ? [eb('recall_credential_id', 'in', input.replacesCredentialIds)] : []),
        ]),
      )
      .$call(lockedInIdOrder(trx))
      .execute();
    const own = rows.find((row) => row.end_user_id === input.endUserId);
    if (!own) return { own: undefined, stale: false };
    const { locked_credential_id: lockedCredentialId, ...row } = own;
    return { own: row, stale: row.recall_credential_id !== lockedCredentialId };
  };
  const first = await lock();
  // Another save of this end user committed while this one waited for the row and moved it to another
  // credential: lock that credential's rows too (the row itself is held now, so once is enough).
  return first.stale ? (await lock()).own : first.own;
}

function currentCredentialOf(eb: ExpressionBuilder<Database, 'connections'>, endUserId: string) {
  return eb.selectFrom('connections as current').select('current.recall_credential_id').where('current.end_user_id', '=', endUserId);
}

function credentialFields(credential: CredentialSnapshot): CredentialFields {
  return {
    status: connectionStatusFor(credential.status),
    recall_credential_id: credential.id,
    recall_status: credential.status,
    zoom_user_id: credential.userId,
    zoom_account_id: credential.accountId,
    meeting_sync_status: credential.meetingSyncStatus,
    // A new authorization answers whatever the reason was; an unhealthy one has its reason found by the health checks.
    reauth_reason: null,
  };
}

/**
 * A replaced credential is gone (or about to be) at Recall: whoever shared it now shares the new one.
 * Returns the status changes this makes.
 */
async function moveReplacedCredentials(
  trx: Transaction<Database>,
  ownId: string,
  input: SaveConnectionInput,
  fields: CredentialFields,
): Promise<StoreEvent[]> {
  if (input.replacesCredentialIds.length === 0) return [];
  const before = await trx
    .selectFrom('connections')
    .select(['id', 'status'])
    .where('id', '<>', ownId)
    .where('recall_credential_id', 'in', input.replacesCredentialIds)
    .execute();
  const after = await trx
    .updateTable('connections')
    .set({ ...fields, updated_at: input.now, last_checked_at: input.now })
    .where('id', '<>', ownId)
    .where('recall_credential_id', 'in', input.replacesCredentialIds)
    .returningAll()
    .execute();
  return statusChanges(before, after);
}

/**
 * Connections detached when their credential was deleted at Recall come back as soon as anyone reconnects the
 * same Zoom identity: with an account-level app that one credential serves the whole Zoom account. The identity
 * is the app kind's id only: on a user-level app two colleagues share a Zoom account id but never a credential.
 * Returns the status changes this makes (a detached connection is needs_reauth until then).
 */
async function relinkDetachedConnections(
  trx: Transaction<Database>,
  ownId: string,
  input: SaveConnectionInput,
  fields: CredentialFields,
): Promise<StoreEvent[]> {
  const [column, zoomId] =
    input.appKind === 'account_level'
      ? (['zoom_account_id', input.credential.accountId] as const)
      : (['zoom_user_id', input.credential.userId] as const);
  if (zoomId === null) return [];
  const sameIdentity = (eb: ExpressionBuilder<Database, 'connections'>) => eb(column, '=', zoomId);
  const before = await trx
    .selectFrom('connections')
    .select(['id', 'status'])
    .where('id', '<>', ownId)
    .where('recall_credential_id', 'is', null)
    .where(sameIdentity)
    .$call(lockedInIdOrder(trx))
    .execute();
  const after = await trx
    .updateTable('connections')
    .set({ ...fields, updated_at: input.now, last_checked_at: input.now })
    .where('id', '<>', ownId)
    .where('recall_credential_id', 'is', null)
    .where(sameIdentity)
    .returningAll()
    .execute();
  return statusChanges(before, after);
}

async function isCredentialUsed(trx: Transaction<Database>, credentialId: string): Promise<boolean> {
  const user = await trx.selectFrom('connections').select('id').where('recall_credential_id', '=', credentialId).limit(1).executeTakeFirst();
  return user !== undefined;
}

/** A tombstone for a credential deleted at Recall; a second one for the same credential changes nothing. */
export async function recordCredentialDeleted(db: Kysely<Database>, credentialId: string, now: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockCredentialTombstone(trx, credentialId, 'tombstone');
    await trx
      .insertInto('deleted_credentials')
      .values({ id: credentialId, deleted_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  });
}

// The advisory lock space of a credential's tombstone: "ZCGW" and the credential id's hash (a collision only
// makes two credentials' saves and tombstones wait on each other).
const tombstoneLockSpace = 0x5a434757;

/**
 * A save onto a credential and the tombstone of that credential never overlap (PostgreSQL; SQLite runs one
 * writer at a time anyway). Saves share the lock, so they never wait on each other; a tombstone waits for the
 * saves in flight to commit, so the detach that follows it sees their rows, and every later save sees the
 * tombstone. Without it a save that checked before the tombstone could commit after the detach, leaving a
 * connection on a credential Recall no longer has. Taken first thing, before any row lock.
 */
async function lockCredentialTombstone(trx: Transaction<Database>, credentialId: string, by: 'save' | 'tombstone'): Promise<void> {
  if (!locksRows(trx)) return;
  const lock = by === 'save' ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`;
  await sql`select ${lock}(${sql.lit(tombstoneLockSpace)}, hashtext(${credentialId}))`.execute(trx);
}
