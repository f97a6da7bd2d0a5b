// Saving a connection after Recall registered (or re-registered) a credential. Everything happens in one
// transaction: the end user's own connection, the connections that move off replaced credentials, and the
// detached ones that belong to the same Zoom identity, so no reader ever sees a half-moved credential. The
// events the save makes go to the outbox in that same transaction.

import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { savedConnectionEvents, statusChanges } from './connection-events.js';
import { appendEvents } from './outbox.js';
import { connectionStatusFor, toConnection } from './records.js';
import type { ConnectionsTable, Database } from './schema.js';
import { CredentialDeletedError, type CredentialSnapshot, type SaveConnectionInput, type SaveConnectionResult, type StoreEvent } from './store.js';

type CredentialFields = Pick<
  ConnectionsTable,
  'status' | 'recall_credential_id' | 'recall_status' | 'zoom_user_id' | 'zoom_account_id' | 'meeting_sync_status' | 'reauth_reason'
>;

export async function saveConnection(db: Kysely<Database>, input: SaveConnectionInput): Promise<SaveConnectionResult> {
  return db.transaction().execute(async (trx) => {
    // Recall answered with this credential, but another flow has deleted it since: saving would leave
    // connections on a credential Recall no longer has. (The check and the writes share one transaction.)
    const tombstone = await trx.selectFrom('deleted_credentials').select('id').where('id', '=', input.credential.id).executeTakeFirst();
    if (tombstone !== undefined) throw new CredentialDeletedError(input.credential.id);
    const fields = credentialFields(input.credential);
    const existing = await trx.selectFrom('connections').selectAll().where('end_user_id', '=', input.endUserId).executeTakeFirst();
    const own = existing
      ? await trx
          .updateTable('connections')
          .set({ ...fields, updated_at: input.now, last_checked_at: input.now })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('connections')
          .values({
            ...fields,
            id: input.newConnectionId,
            end_user_id: input.endUserId,
            created_at: input.now,
            updated_at: input.now,
            last_checked_at: input.now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();

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
  await db
    .insertInto('deleted_credentials')
    .values({ id: credentialId, deleted_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
