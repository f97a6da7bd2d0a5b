// What a unit of work (Store.transaction) changes: the repositories of connections and retired credentials that
// share its transaction with the outbox, what each change takes, and what it reports back (every connection as it
// was and as it is), from which the domain names the events it publishes.
import type { ConnectionRecord, CredentialSnapshot, MeetingSyncStatus, OutboxEntry, RecallStatus, ZoomAppKind } from './store.js';

export interface SaveConnectionInput {
  /** A fresh id, used only if the end user has no connection yet. */
  newConnectionId: string;
  endUserId: string;
  credential: CredentialSnapshot;
  /**
   * Which Zoom id identifies the credential: the connections of that identity only are relinked (detached ones)
   * or moved (those on another credential of the identity).
   */
  appKind: ZoomAppKind;
  /**
   * Credentials this one replaces that Recall has deleted already (a legacy conflict resolved): every connection
   * that points at one of them moves to the new credential in the same transaction.
   */
  replacesCredentialIds: string[];
  now: string;
}

/** One connection as a change found it and as it left it. */
export interface ConnectionChange {
  before: ConnectionRecord;
  after: ConnectionRecord;
}

export interface SaveConnectionResult {
  connection: ConnectionRecord;
  /** True when the end user had no connection before. */
  created: boolean;
  /** The end user's connection as it was before the save; undefined when it was created. */
  previous: ConnectionRecord | undefined;
  /**
   * The other connections the save put on the credential: moved off a replaced credential (replacesCredentialIds,
   * or another credential of the same Zoom identity) or relinked (detached, same Zoom identity).
   */
  moved: ConnectionChange[];
  /**
   * Credentials of the same Zoom identity (by the app's kind) that connections held under another id, created
   * before this one: Recall re-authorized the identity with a new credential. Every connection on them moved to
   * this one; they are the domain's to retire.
   */
  replacedCredentialIds: string[];
  /** The credential the end user's connection pointed at before, when it was another one. */
  previousCredentialId: string | null;
  /** Whether any connection still points at previousCredentialId after the save. */
  previousCredentialStillUsed: boolean;
}

export interface HealthUpdate {
  recallStatus: RecallStatus;
  meetingSyncStatus: MeetingSyncStatus | null;
  checkedAt: string;
  /**
   * When Recall's answer was read, if before checkedAt (a list that took a while): connections checked after
   * that (a reconnect in the meantime) keep what they have, as the answer is older than what they know.
   */
  observedAt?: string;
  /**
   * Why the credential is unhealthy (Recall's log): kept on its connections while they are needs_reauth. Left
   * out, a reason they already have stays; a healthy credential clears it.
   */
  reauthReason?: string;
}

/** A retired credential: the gateway deleted it at Recall, or is about to (deletionOwed). */
export interface RetiredCredential {
  retiredAt: string;
  /** Recall has not confirmed it gone yet: the delete is retried (deletionsOwed) until it does. */
  deletionOwed: boolean;
}

/** A delete at Recall the gateway owes: the credential, and how many times it was tried already. */
export interface OwedDeletion {
  credentialId: string;
  attempts: number;
}

/** The connections of a unit of work: each change returns what it changed, for the domain to name its events. */
export interface ConnectionChanges {
  /**
   * Creates or updates the end user's connection for a registered credential. In the same transaction: every
   * connection on one of `replacesCredentialIds`, or on another credential of the same Zoom identity that Recall
   * created before this one, moves to the new credential; and every detached connection (no credential) of the
   * same Zoom identity is relinked to it: the same Zoom user for a user-level app, the same Zoom account for an
   * account-level one (`appKind`), never either one. All of them take the snapshot's fields, with
   * last_checked_at = updated_at = now.
   * Throws, having written nothing, CredentialDeletedError when the credential was retired, and
   * CredentialSupersededError when the identity is held under a credential Recall created after this one.
   */
  save(input: SaveConnectionInput): Promise<SaveConnectionResult>;
  /** Every connection on `fromCredentialId` takes the snapshot's credential (a credential replaced by it). */
  moveCredential(fromCredentialId: string, credential: CredentialSnapshot, now: string): Promise<ConnectionChange[]>;
  /**
   * Recall no longer has the credential and nothing replaces it: every connection that pointed at it loses it
   * (credential and status null) and becomes needs_reauth.
   */
  detachCredential(credentialId: string, now: string): Promise<ConnectionChange[]>;
  /**
   * Records what Recall said about a credential on every connection that uses it (last_checked_at always;
   * updated_at only when status or recall_status changed).
   */
  recordHealth(credentialId: string, update: HealthUpdate): Promise<ConnectionChange[]>;
  /** Deletes the connection; the row as it was, or undefined when there was none. */
  delete(id: string): Promise<ConnectionRecord | undefined>;
  /** How many connections point at the credential, leaving out `exceptConnectionId`. */
  countCredentialUsers(credentialId: string, exceptConnectionId?: string): Promise<number>;
}

/** Credentials the gateway retires (tombstones), in a unit of work. */
export interface CredentialRetirements {
  /**
   * Holds the credential until the transaction ends: saves onto it still in flight commit first (PostgreSQL), so
   * what the transaction reads next includes them, and later saves wait and then find it retired. Taken before
   * deciding whether it is still used.
   */
  hold(credentialId: string): Promise<void>;
  /**
   * No connection may be saved onto the credential again (a save refuses it with CredentialDeletedError). With
   * `deletionOwed`, Recall may still have it: deletionsOwed lists it until settleDeletion. Retiring it again
   * changes nothing but may add the owed deletion.
   */
  retire(credentialId: string, now: string, options: { deletionOwed: boolean }): Promise<void>;
  /** Recall confirmed the credential gone (deleted, or 404): nothing is owed any more. */
  settleDeletion(credentialId: string): Promise<void>;
  /** The owed delete failed this time: tried again from `nextAttemptAt`. */
  postponeDeletion(credentialId: string, retry: { nextAttemptAt: string; error: string }): Promise<void>;
}

/** One transaction: the changes of the domain's unit of work and the events it publishes commit together. */
export interface StoreTransaction {
  connections: ConnectionChanges;
  credentials: CredentialRetirements;
  /**
   * Appends the events to the outbox, after the transaction's changes (the last write of every transaction).
   * A store opened without events (no WEBHOOK_URL) keeps none: whether events are kept is decided once, there.
   */
  publish(events: OutboxEntry[], now: string): Promise<void>;
}
