// Saving a connection after Recall registered (or re-registered) a credential. Everything happens in the caller's
// transaction: the end user's own connection, the connections that move off replaced credentials (a legacy
// conflict's, or another credential of the same Zoom identity: Recall re-authorized it with a new id), and the
// detached ones that belong to the same Zoom identity, so no reader ever sees a half-moved credential. What it
// changed is returned, for the domain to name the events and retire what nobody uses any more.

import type { ExpressionBuilder, Transaction } from 'kysely';
import { connectionStatusFor, toConnection } from './records.js';
import { lockCredentialTombstone } from './retired-credentials.js';
import type { ConnectionRow, ConnectionsTable, Database } from './schema.js';
import {
  CredentialDeletedError,
  CredentialSupersededError,
  type ConnectionChange,
  type CredentialSnapshot,
  type SaveConnectionInput,
  type SaveConnectionResult,
} from './store.js';
import { lockedInIdOrder, locksRows } from './transactions.js';

type CredentialFields = Pick<
  ConnectionsTable,
  | 'status'
  | 'recall_credential_id'
  | 'recall_status'
  | 'zoom_user_id'
  | 'zoom_account_id'
  | 'meeting_sync_status'
  | 'reauth_reason'
  | 'recall_credential_created_at'
>;

/** The Zoom identity a credential stands for: the app kind's id only (never either one), or none. */
interface Identity {
  column: 'zoom_user_id' | 'zoom_account_id';
  zoomId: string;
}

export async function saveConnection(trx: Transaction<Database>, input: SaveConnectionInput): Promise<SaveConnectionResult> {
  // Recall answered with this credential, but another flow has retired it since: saving would leave
  // connections on a credential Recall no longer has. (The check and the writes share one transaction.)
  await lockCredentialTombstone(trx, input.credential.id, 'save');
  const tombstone = await trx.selectFrom('deleted_credentials').select('id').where('id', '=', input.credential.id).executeTakeFirst();
  if (tombstone !== undefined) throw new CredentialDeletedError(input.credential.id);
  const fields = credentialFields(input.credential);
  const identity = identityOf(input);
  const { existing, own, replacedCredentialIds } = await upsertOwnConnection(trx, input, fields, identity);

  const moved = await moveCredentials(trx, own.id, [...input.replacesCredentialIds, ...replacedCredentialIds], fields, input.now);
  const relinked = identity ? await relinkDetachedConnections(trx, own.id, identity, fields, input.now) : [];

  const old = existing?.recall_credential_id ?? null;
  const previousCredentialId = old !== null && old !== input.credential.id ? old : null;
  return {
    connection: toConnection(own),
    created: existing === undefined,
    previous: existing && toConnection(existing),
    moved: [...moved, ...relinked],
    replacedCredentialIds,
    previousCredentialId,
    previousCredentialStillUsed: previousCredentialId !== null && (await isCredentialUsed(trx, previousCredentialId)),
  };
}

/**
 * The end user's connection, created or updated, the row as it was before (undefined when created), and the
 * credentials of the same identity it replaces. A first save is INSERT ... ON CONFLICT DO NOTHING: when a
 * concurrent first save of the same end user got there first (PostgreSQL makes this insert wait for it to
 * commit), its row is locked and updated instead.
 */
async function upsertOwnConnection(
  trx: Transaction<Database>,
  input: SaveConnectionInput,
  fields: CredentialFields,
  identity: Identity | undefined,
): Promise<{ existing: ConnectionRow | undefined; own: ConnectionRow; replacedCredentialIds: string[] }> {
  // Twice at most in practice; a third round means the row was deleted in between as well.
  for (let round = 0; round < 3; round++) {
    const { own: existing, sameIdentity } = await lockAffectedConnections(trx, input, identity);
    const replacedCredentialIds = replacedByThis(input, sameIdentity);
    if (existing) {
      const own = await trx
        .updateTable('connections')
        .set({ ...fields, updated_at: input.now, last_checked_at: input.now })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { existing, own, replacedCredentialIds };
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
    if (created) return { existing: undefined, own: created, replacedCredentialIds };
  }
  throw new Error(`The connection of end user ${input.endUserId} kept being created and deleted while it was saved.`);
}

/**
 * The identity's other credentials this one replaces (those a legacy conflict replaced are the caller's). A
 * credential Recall created after this one means this answer is stale: Recall re-authorized the identity again
 * since, and that newer credential was saved first. Nothing may be written then.
 */
function replacedByThis(input: SaveConnectionInput, sameIdentity: ConnectionRow[]): string[] {
  const replaced = new Map<string, string | null>();
  for (const row of sameIdentity) {
    const credentialId = row.recall_credential_id;
    if (credentialId === null || credentialId === input.credential.id || input.replacesCredentialIds.includes(credentialId)) continue;
    replaced.set(credentialId, row.recall_credential_created_at);
  }
  const ours = timeOf(input.credential.createdAt);
  for (const [credentialId, createdAt] of replaced) {
    const theirs = timeOf(createdAt);
    if (ours !== undefined && theirs !== undefined && theirs > ours) throw new CredentialSupersededError(input.credential.id, credentialId);
  }
  return [...replaced.keys()].sort();
}

const timeOf = (iso: string | null | undefined): number | undefined => {
  const time = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(time) ? undefined : time;
};

/**
 * Locks, in id order, every connection row this save changes or counts: the end user's own, those on the
 * credentials it replaces (moved below), those of the same Zoom identity on another credential (moved too), and
 * those on the end user's current credential (whether anyone is left on it decides if it is retired). Two saves
 * that share any of these rows queue on them, in the same order, instead of deadlocking or both concluding the
 * other still uses the old credential. Returns the end user's own row and the identity's rows on other
 * credentials, as they are now.
 */
async function lockAffectedConnections(
  trx: Transaction<Database>,
  input: SaveConnectionInput,
  identity: Identity | undefined,
): Promise<{ own: ConnectionRow | undefined; sameIdentity: ConnectionRow[] }> {
  const onOtherCredentialOfIdentity = (eb: ExpressionBuilder<Database, 'connections'>) =>
    identity === undefined
      ? eb.val(false)
      : eb.and([
          eb(identity.column, '=', identity.zoomId),
          eb('recall_credential_id', 'is not', null),
          eb('recall_credential_id', '<>', input.credential.id),
        ]);
  if (!locksRows(trx)) {
    const own = await trx.selectFrom('connections').selectAll().where('end_user_id', '=', input.endUserId).executeTakeFirst();
    const sameIdentity = identity ? await trx.selectFrom('connections').selectAll().where(onOtherCredentialOfIdentity).execute() : [];
    return { own, sameIdentity };
  }
  const lock = async () => {
    const rows = await trx
      .selectFrom('connections')
      .selectAll()
      .select((eb) => currentCredentialOf(eb, input.endUserId).as('locked_credential_id'))
      .where((eb) =>
        eb.or([
          eb('end_user_id', '=', input.endUserId),
          eb('recall_credential_id', '=', currentCredentialOf(eb, input.endUserId)),
          onOtherCredentialOfIdentity(eb),
          ...(input.replacesCredentialIds.length > 0 ? [eb('recall_credential_id', 'in', input.replacesCredentialIds)] : []),
        ]),
      )
      .$call(lockedInIdOrder(trx))
      .execute();
    const sameIdentity = rows
      .map(({ locked_credential_id: _locked, ...row }) => row)
      .filter((row) => identity !== undefined && row[identity.column] === identity.zoomId && row.recall_credential_id !== null);
    const own = rows.find((row) => row.end_user_id === input.endUserId);
    if (!own) return { own: undefined, stale: false, sameIdentity };
    const { locked_credential_id: lockedCredentialId, ...row } = own;
    return { own: row, stale: row.recall_credential_id !== lockedCredentialId, sameIdentity };
  };
  const first = await lock();
  // Another save of this end user committed while this one waited for the row and moved it to another
  // credential: lock that credential's rows too (the row itself is held now, so once is enough).
  const locked = first.stale ? await lock() : first;
  return { own: locked.own, sameIdentity: locked.sameIdentity.filter((row) => row.recall_credential_id !== input.credential.id) };
}

function currentCredentialOf(eb: ExpressionBuilder<Database, 'connections'>, endUserId: string) {
  return eb.selectFrom('connections as current').select('current.recall_credential_id').where('current.end_user_id', '=', endUserId);
}

function identityOf(input: SaveConnectionInput): Identity | undefined {
  const zoomId = input.appKind === 'account_level' ? input.credential.accountId : input.credential.userId;
  if (zoomId === null) return undefined;
  return { column: input.appKind === 'account_level' ? 'zoom_account_id' : 'zoom_user_id', zoomId };
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
    recall_credential_created_at: credential.createdAt ?? null,
  };
}

/** A replaced credential is gone (or about to be) at Recall: whoever shared it now shares the new one. */
async function moveCredentials(
  trx: Transaction<Database>,
  ownId: string,
  credentialIds: string[],
  fields: CredentialFields,
  now: string,
): Promise<ConnectionChange[]> {
  if (credentialIds.length === 0) return [];
  const before = await trx
    .selectFrom('connections')
    .selectAll()
    .where('id', '<>', ownId)
    .where('recall_credential_id', 'in', credentialIds)
    .$call(lockedInIdOrder(trx))
    .execute();
  return updateRead(trx, before, fields, now);
}

/** Every connection on `fromCredentialId` moves to the snapshot's credential (ConnectionChanges.moveCredential). */
export function moveCredential(trx: Transaction<Database>, fromCredentialId: string, credential: CredentialSnapshot, now: string) {
  return moveCredentials(trx, '', [fromCredentialId], credentialFields(credential), now);
}

/**
 * Connections detached when their credential was deleted at Recall come back as soon as anyone reconnects the
 * same Zoom identity: with an account-level app that one credential serves the whole Zoom account. The identity
 * is the app kind's id only: on a user-level app two colleagues share a Zoom account id but never a credential.
 */
async function relinkDetachedConnections(
  trx: Transaction<Database>,
  ownId: string,
  identity: Identity,
  fields: CredentialFields,
  now: string,
): Promise<ConnectionChange[]> {
  const sameIdentity = (eb: ExpressionBuilder<Database, 'connections'>) => eb(identity.column, '=', identity.zoomId);
  const before = await trx
    .selectFrom('connections')
    .selectAll()
    .where('id', '<>', ownId)
    .where('recall_credential_id', 'is', null)
    .where(sameIdentity)
    .$call(lockedInIdOrder(trx))
    .execute();
  return updateRead(trx, before, fields, now);
}

/**
 * Updates exactly the rows read (and, on PostgreSQL, locked) before: a row that matched the condition only after
 * the read (another transaction detached it in between) is left as it is, so no row changes without its event.
 */
async function updateRead(trx: Transaction<Database>, before: ConnectionRow[], fields: CredentialFields, now: string): Promise<ConnectionChange[]> {
  if (before.length === 0) return [];
  const after = await trx
    .updateTable('connections')
    .set({ ...fields, updated_at: now, last_checked_at: now })
    .where(
      'id',
      'in',
      before.map((row) => row.id),
    )
    .returningAll()
    .execute();
  return pairChanges(before, after);
}

/** Each changed row as it was and as it is, in the order of `after`; a row not read before is left out. */
export function pairChanges(before: ConnectionRow[], after: ConnectionRow[]): ConnectionChange[] {
  const previous = new Map(before.map((row) => [row.id, row]));
  return after.flatMap((row) => {
    const was = previous.get(row.id);
    return was ? [{ before: toConnection(was), after: toConnection(row) }] : [];
  });
}

async function isCredentialUsed(trx: Transaction<Database>, credentialId: string): Promise<boolean> {
  const user = await trx.selectFrom('connections').select('id').where('recall_credential_id', '=', credentialId).limit(1).executeTakeFirst();
  return user !== undefined;
}
