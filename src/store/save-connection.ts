// Saving a connection after Recall registered (or re-registered) a credential. Everything happens in the caller's
// transaction: the end user's own connection, the connections that move off replaced credentials (a legacy
// conflict's, or another credential of the same Zoom identity: Recall re-authorized it with a new id), and the
// detached ones that belong to the same Zoom identity, so no reader ever sees a half-moved credential. What it
// changed is returned, for the domain to name the events and retire what nobody uses any more.

import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { prepareQuery } from './prepared-queries.js';
import { connectionStatusFor, toConnection } from './records.js';
import { lockCredentialTombstone } from './retired-credentials.js';
import type { ConnectionRow, ConnectionsTable, Database } from './schema.js';
import type { Statements } from './statements.js';
import {
  CredentialDeletedError,
  CredentialSupersededError,
  type ConnectionChange,
  type CredentialSnapshot,
  type SaveConnectionInput,
  type SaveConnectionResult,
} from './store.js';
import { lockedInIdOrder, locksRows } from './transactions.js';
import { rowsOf, type UnitStatements } from './unit-statements.js';

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
  column: IdentityColumn;
  zoomId: string;
}

type IdentityColumn = 'zoom_user_id' | 'zoom_account_id';

// A callback's save runs these on every call: prepared (prepared-queries.ts), built and compiled once per dialect,
// run in the unit of work's transaction (unit-statements.ts). The rare paths (a legacy
// conflict's replaced credentials) keep building their queries per call.

/** One prepared query per identity column (the column is part of the SQL, not a value). */
const perIdentityColumn = <Q>(make: (column: IdentityColumn) => Q): Record<IdentityColumn, Q> => ({
  zoom_user_id: make('zoom_user_id'),
  zoom_account_id: make('zoom_account_id'),
});

type CredentialValues = CredentialFields & { now: string };

type ConnectionsFilter = (eb: ExpressionBuilder<Database, 'connections'>) => Expression<SqlBool>;

const noRows: ConnectionsFilter = (eb) => eb.val(false);

const tombstone = prepareQuery<{ id: string }, { id: string }>((db, { id }) =>
  db.selectFrom('deleted_credentials').select('id').where('id', '=', id),
);

const connectionOfEndUser = prepareQuery<{ endUserId: string }, ConnectionRow>((db, { endUserId }) =>
  db.selectFrom('connections').selectAll().where('end_user_id', '=', endUserId),
);

/** The identity's connections on another credential than `credentialId` (SQLite: nothing to lock). */
const onOtherCredentialOf = perIdentityColumn((column) =>
  prepareQuery<{ zoomId: string; credentialId: string }, ConnectionRow>((db, { zoomId, credentialId }) =>
    db
      .selectFrom('connections')
      .selectAll()
      .where(otherCredentialOfIdentity(column, zoomId, credentialId)),
  ),
);

type LockedRow = ConnectionRow & { locked_credential_id: string | null };

/** lockAffectedConnections' locking read without credentials to replace, per identity column or without identity. */
const lockWithoutReplaced = {
  ...perIdentityColumn((column) =>
    prepareQuery<{ endUserId: string; zoomId: string; credentialId: string }, LockedRow>((db, { endUserId, zoomId, credentialId }) =>
      affectedConnections(db, endUserId, otherCredentialOfIdentity(column, zoomId, credentialId), []),
    ),
  ),
  none: prepareQuery<{ endUserId: string }, LockedRow>((db, { endUserId }) => affectedConnections(db, endUserId, noRows, [])),
};

const credentialColumns = (values: CredentialValues) => ({
  status: values.status,
  recall_credential_id: values.recall_credential_id,
  recall_status: values.recall_status,
  zoom_user_id: values.zoom_user_id,
  zoom_account_id: values.zoom_account_id,
  meeting_sync_status: values.meeting_sync_status,
  reauth_reason: values.reauth_reason,
  recall_credential_created_at: values.recall_credential_created_at,
  updated_at: values.now,
  last_checked_at: values.now,
});

const updateOwn = prepareQuery<CredentialValues & { id: string }, ConnectionRow>((db, values) =>
  db.updateTable('connections').set(credentialColumns(values)).where('id', '=', values.id).returningAll(),
);

const insertOwnUnlessTaken = prepareQuery<CredentialValues & { id: string; endUserId: string }, ConnectionRow>((db, values) =>
  db
    .insertInto('connections')
    .values({ ...credentialColumns(values), id: values.id, end_user_id: values.endUserId, created_at: values.now })
    .onConflict((oc) => oc.column('end_user_id').doNothing())
    .returningAll(),
);

const detachedOfIdentity = perIdentityColumn((column) => ({
  before: prepareQuery<{ ownId: string; zoomId: string }, ConnectionRow>((db, { ownId, zoomId }) =>
    db
      .selectFrom('connections')
      .selectAll()
      .where('id', '<>', ownId)
      .where('recall_credential_id', 'is', null)
      .where(column, '=', zoomId)
      .$call(lockedInIdOrder(db)),
  ),
}));

const anyUserOf = prepareQuery<{ credentialId: string }, { id: string }>((db, { credentialId }) =>
  db.selectFrom('connections').select('id').where('recall_credential_id', '=', credentialId).limit(1),
);

export async function saveConnection(tx: UnitStatements, input: SaveConnectionInput): Promise<SaveConnectionResult> {
  // Recall answered with this credential, but another flow has retired it since: saving would leave
  // connections on a credential Recall no longer has. (The check and the writes share one transaction.)
  const { statements } = tx;
  await lockCredentialTombstone(tx, input.credential.id, 'save');
  const [retired] = await statements.rows(tombstone, { id: input.credential.id });
  if (retired !== undefined) throw new CredentialDeletedError(input.credential.id);
  const fields = credentialFields(input.credential);
  const identity = identityOf(input);
  const { existing, own, replacedCredentialIds } = await upsertOwnConnection(tx, input, fields, identity);

  const moved = await moveCredentials(tx, own.id, [...input.replacesCredentialIds, ...replacedCredentialIds], fields, input.now);
  const relinked = identity ? await relinkDetachedConnections(tx, own.id, identity, fields, input.now) : [];

  const old = existing?.recall_credential_id ?? null;
  const previousCredentialId = old !== null && old !== input.credential.id ? old : null;
  return {
    connection: toConnection(own),
    created: existing === undefined,
    previous: existing && toConnection(existing),
    moved: [...moved, ...relinked],
    replacedCredentialIds,
    previousCredentialId,
    previousCredentialStillUsed: previousCredentialId !== null && (await isCredentialUsed(statements, previousCredentialId)),
  };
}

/**
 * The end user's connection, created or updated, the row as it was before (undefined when created), and the
 * credentials of the same identity it replaces. A first save is INSERT ... ON CONFLICT DO NOTHING: when a
 * concurrent first save of the same end user got there first (PostgreSQL makes this insert wait for it to
 * commit), its row is locked and updated instead.
 */
async function upsertOwnConnection(
  tx: UnitStatements,
  input: SaveConnectionInput,
  fields: CredentialFields,
  identity: Identity | undefined,
): Promise<{ existing: ConnectionRow | undefined; own: ConnectionRow; replacedCredentialIds: string[] }> {
  // Twice at most in practice; a third round means the row was deleted in between as well.
  for (let round = 0; round < 3; round++) {
    const { statements } = tx;
    const { own: existing, sameIdentity } = await lockAffectedConnections(tx, input, identity);
    const replacedCredentialIds = replacedByThis(input, sameIdentity);
    if (existing) {
      const [own] = await statements.rows(updateOwn, { ...fields, now: input.now, id: existing.id });
      // The row is locked (PostgreSQL) or the writer is alone (SQLite): the update cannot miss it.
      if (own === undefined) throw new Error(`Store inconsistency: connection ${existing.id} vanished while it was saved`);
      return { existing, own, replacedCredentialIds };
    }
    const [created] = await statements.rows(insertOwnUnlessTaken, {
      ...fields,
      now: input.now,
      id: input.newConnectionId,
      endUserId: input.endUserId,
    });
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
  tx: UnitStatements,
  input: SaveConnectionInput,
  identity: Identity | undefined,
): Promise<{ own: ConnectionRow | undefined; sameIdentity: ConnectionRow[] }> {
  const { db, statements } = tx;
  const credentialId = input.credential.id;
  if (!locksRows(db)) {
    const [own] = await statements.rows(connectionOfEndUser, { endUserId: input.endUserId });
    const sameIdentity = identity ? await statements.rows(onOtherCredentialOf[identity.column], { zoomId: identity.zoomId, credentialId }) : [];
    return { own, sameIdentity };
  }
  const lockedRows = (): Promise<LockedRow[]> => {
    const { endUserId, replacesCredentialIds } = input;
    if (replacesCredentialIds.length > 0) {
      // A legacy conflict's replaced credentials: rare, and a list of any length, so built on the spot.
      const otherOfIdentity = identity ? otherCredentialOfIdentity(identity.column, identity.zoomId, credentialId) : noRows;
      return rowsOf(tx, affectedConnections(db, endUserId, otherOfIdentity, replacesCredentialIds));
    }
    if (identity === undefined) return statements.rows(lockWithoutReplaced.none, { endUserId });
    return statements.rows(lockWithoutReplaced[identity.column], { endUserId, zoomId: identity.zoomId, credentialId });
  };
  const lock = async () => {
    const rows = await lockedRows();
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
  return { own: locked.own, sameIdentity: locked.sameIdentity.filter((row) => row.recall_credential_id !== credentialId) };
}

/** The identity's connections on a credential other than `credentialId`. */
function otherCredentialOfIdentity(column: IdentityColumn, zoomId: string, credentialId: string): ConnectionsFilter {
  return (eb) => eb.and([eb(column, '=', zoomId), eb('recall_credential_id', 'is not', null), eb('recall_credential_id', '<>', credentialId)]);
}

/**
 * The connections a save changes or counts, locked in id order (PostgreSQL), each with the end user's current
 * credential as locked_credential_id: the end user's own, those on its current credential, the identity's on
 * another credential, and those on the credentials it replaces.
 */
function affectedConnections(db: Kysely<Database>, endUserId: string, otherOfIdentity: ConnectionsFilter, replacesCredentialIds: string[]) {
  return db
    .selectFrom('connections')
    .selectAll()
    .select((eb) => currentCredentialOf(eb, endUserId).as('locked_credential_id'))
    .where((eb) =>
      eb.or([
        eb('end_user_id', '=', endUserId),
        eb('recall_credential_id', '=', currentCredentialOf(eb, endUserId)),
        otherOfIdentity(eb),
        ...(replacesCredentialIds.length > 0 ? [eb('recall_credential_id', 'in', replacesCredentialIds)] : []),
      ]),
    )
    .$call(lockedInIdOrder(db));
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
  tx: UnitStatements,
  ownId: string,
  credentialIds: string[],
  fields: CredentialFields,
  now: string,
): Promise<ConnectionChange[]> {
  if (credentialIds.length === 0) return [];
  const { db } = tx;
  const before = await rowsOf(
    tx,
    db.selectFrom('connections').selectAll().where('id', '<>', ownId).where('recall_credential_id', 'in', credentialIds).$call(lockedInIdOrder(db)),
  );
  return updateRead(tx, before, fields, now);
}

/** Every connection on `fromCredentialId` moves to the snapshot's credential (ConnectionChanges.moveCredential). */
export function moveCredential(tx: UnitStatements, fromCredentialId: string, credential: CredentialSnapshot, now: string) {
  return moveCredentials(tx, '', [fromCredentialId], credentialFields(credential), now);
}

/**
 * Connections detached when their credential was deleted at Recall come back as soon as anyone reconnects the
 * same Zoom identity: with an account-level app that one credential serves the whole Zoom account. The identity
 * is the app kind's id only: on a user-level app two colleagues share a Zoom account id but never a credential.
 */
async function relinkDetachedConnections(
  tx: UnitStatements,
  ownId: string,
  identity: Identity,
  fields: CredentialFields,
  now: string,
): Promise<ConnectionChange[]> {
  const queries = detachedOfIdentity[identity.column];
  const before = await tx.statements.rows(queries.before, { ownId, zoomId: identity.zoomId });
  return updateRead(tx, before, fields, now);
}

/**
 * Updates exactly the rows read (and, on PostgreSQL, locked) before: a row that matched the condition only after
 * the read (another transaction detached it in between) is left as it is, so no row changes without its event.
 * Nothing read (nearly always, for the relink), nothing written.
 */
async function updateRead(tx: UnitStatements, before: ConnectionRow[], fields: CredentialFields, now: string): Promise<ConnectionChange[]> {
  if (before.length === 0) return [];
  const after = await rowsOf(
    tx,
    tx.db
      .updateTable('connections')
      .set({ ...fields, updated_at: now, last_checked_at: now })
      .where(
        'id',
        'in',
        before.map((row) => row.id),
      )
      .returningAll(),
  );
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

async function isCredentialUsed(statements: Statements, credentialId: string): Promise<boolean> {
  const [user] = await statements.rows(anyUserOf, { credentialId });
  return user !== undefined;
}
