// The Store is everything src/connect/ needs from persistence, in the flow's own words. SQLite implements
// it today (sqlite.ts); PostgreSQL can implement the same interface later without touching the flow.
// Secrets never reach it in the clear: session tokens, launch codes, states and binding values arrive as
// SHA-256 hashes (base64url). Timestamps are ISO-8601 UTC strings (`Date#toISOString()`), which compare
// correctly as text and read the same from every back end.
import type { ConnectMode, ConnectionStatus } from '../../generated/gateway/types.gen.js';

/**
 * The database cannot be reached (down, restarting, out of connections). A back end throws this instead of
 * its driver's error, so the API answers 503 store_unavailable and the service recovers by itself once the
 * database is back.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * saveConnection refused a credential the gateway deleted at Recall in the meantime (recordCredentialDeleted):
 * nothing was written. The flow must start over; Recall no longer has the credential.
 */
export class CredentialDeletedError extends Error {
  override readonly name = 'CredentialDeletedError';
  constructor(readonly credentialId: string) {
    super(`The credential ${credentialId} was deleted at Recall; no connection may be saved onto it.`);
  }
}

// The contract's own types (gateway.yaml), not copies: a connection's status is one thing everywhere.
export type { ConnectMode, ConnectionStatus };
export type RecallStatus = 'healthy' | 'unhealthy';
export type MeetingSyncStatus = 'not_started' | 'in_progress' | 'completed' | 'failed';

export interface ConnectSessionRecord {
  id: string;
  tokenHash: string;
  launchHash: string;
  endUserId: string;
  returnTo: string | null;
  mode: ConnectMode;
  createdAt: string;
  expiresAt: string;
  /** When the launch code was used; null until then. */
  launchedAt: string | null;
}

export interface FlowRecord {
  /** Random, not secret: it names the flow's binding cookie. */
  id: string;
  stateHash: string;
  /** Hash of the binding cookie's value. */
  bindingHash: string;
  sessionId: string;
  /** The PKCE verifier: sent only to Recall, never to the browser. Lives at most FLOW_TTL_S. */
  codeVerifier: string;
  /** The authorization server the flow was sent to (RFC 9700 §4.4.2, mix-up defence). */
  issuer: string;
  /** 1 for a flow started by a launch; 2 for the one automatic restart after a spent code. */
  attempt: number;
  createdAt: string;
  expiresAt: string;
  /** Set, once and atomically, by the callback that consumes the flow. */
  consumedAt: string | null;
}

export interface ConnectionRecord {
  id: string;
  endUserId: string;
  status: ConnectionStatus;
  recallCredentialId: string | null;
  recallStatus: RecallStatus | null;
  zoomUserId: string | null;
  zoomAccountId: string | null;
  meetingSyncStatus: MeetingSyncStatus | null;
  createdAt: string;
  updatedAt: string;
  lastCheckedAt: string | null;
  /** Why the connection needs a new authorization, in short; null while it is connected. */
  reauthReason: string | null;
}

/** What Recall said about a credential (create, retrieve or list). */
export interface CredentialSnapshot {
  id: string;
  status: RecallStatus;
  userId: string | null;
  accountId: string | null;
  meetingSyncStatus: MeetingSyncStatus | null;
}

export type LaunchClaim =
  | { outcome: 'claimed'; session: ConnectSessionRecord }
  | { outcome: 'used'; session: ConnectSessionRecord }
  | { outcome: 'unknown' };

export type FlowClaim =
  | { outcome: 'consumed'; flow: FlowRecord; session: ConnectSessionRecord }
  | {
      outcome: 'reused';
      flow: FlowRecord;
      session: ConnectSessionRecord | undefined;
      /** The connection the flow connected (recordFlowConnected), or null: it failed, or is still running. */
      connectionId: string | null;
    }
  | { outcome: 'unknown' };

/**
 * The kind of the Zoom OAuth app, as Recall says: which Zoom id stands for a credential's identity, the Zoom
 * user's (user-level app) or the Zoom account's (account-level app). Never either one.
 */
export type ZoomAppKind = 'user_level' | 'account_level';

export interface SaveConnectionInput {
  /** Write the save's events to the outbox in the same transaction (WEBHOOK_URL is set). */
  recordEvents?: boolean;
  /** A fresh id, used only if the end user has no connection yet. */
  newConnectionId: string;
  endUserId: string;
  credential: CredentialSnapshot;
  /** Which Zoom id identifies the credential: detached connections of that identity only are relinked. */
  appKind: ZoomAppKind;
  /**
   * Credentials this one replaces (a legacy conflict resolved, an identity change): every connection that
   * points at one of them moves to the new credential in the same transaction.
   */
  replacesCredentialIds: string[];
  now: string;
}

export interface SaveConnectionResult {
  connection: ConnectionRecord;
  /** True when the end user had no connection before. */
  created: boolean;
  /** The credential the end user's connection pointed at before, when it was another one. */
  previousCredentialId: string | null;
  /** Whether any connection still points at previousCredentialId after the save. */
  previousCredentialStillUsed: boolean;
}

export interface ConnectionListQuery {
  endUserId?: string;
  status?: ConnectionStatus;
  limit: number;
  /** Keyset position: rows strictly after this one in (createdAt desc, id desc) order. */
  after?: { createdAt: string; id: string };
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
  /** Write a connection.status_changed event for every connection whose status changes, in the same transaction. */
  recordEvents?: boolean;
  /**
   * Why the credential is unhealthy (Recall's log): kept on its connections while they are needs_reauth. Left
   * out, a reason they already have stays; a healthy credential clears it.
   */
  reauthReason?: string;
}

/** Options of a change that may write events to the outbox, in its own transaction. */
export interface ChangeOptions {
  recordEvents?: boolean;
}

// Events, as the store records them: what changed, in the store's words. src/events/ turns them into the
// signed webhook bodies of gateway.yaml (`webhooks:`) when it delivers them.
export type EventType = StoreEvent['type'];

export type StoreEvent =
  | { type: 'connection.created'; connection: ConnectionRecord }
  | {
      type: 'connection.reauthorized';
      connection: ConnectionRecord;
      /** The end user authorized another Zoom user or account than before. */
      identityChanged: boolean;
      previousZoomUserId: string | null;
      previousZoomAccountId: string | null;
    }
  | { type: 'connection.status_changed'; connection: ConnectionRecord; previousStatus: ConnectionStatus }
  | { type: 'connection.deleted'; connection: ConnectionRecord }
  | { type: 'connect.failed'; endUserId: string; connectionId: string | null; code: string };

/** An event in the outbox, as a dispatcher claimed it. */
export interface OutboxEvent {
  /** Stable across retries: receivers drop duplicates by it (`webhook-id`). */
  id: string;
  /** Commit order of the outbox; events of one end user are delivered in this order. */
  seq: number;
  event: StoreEvent;
  createdAt: string;
  /** Delivery attempts made before this claim. */
  attempts: number;
}

export interface EventClaim {
  /** Who claims (one dispatcher of one instance). */
  holder: string;
  now: string;
  /** How long the claim holds; an unfinished claim (a crash) is claimable again after it. */
  leaseMs: number;
  limit: number;
}

export interface OutboxBacklog {
  /** Events not delivered yet (and not given up). */
  pending: number;
  oldestCreatedAt: string | null;
}

export interface Lease {
  name: string;
  holder: string;
  now: string;
  ttlMs: number;
}

/** A shared budget of Recall calls: its name and how many calls a minute it allows. */
export interface RequestBudgetName {
  name: string;
  perMinute: number;
}

export type BudgetGrant = { granted: true } | { granted: false; retryAt: string };

/** Where a walk through a Recall list stopped. */
export interface SyncPosition {
  /** The cursor of the next page to read. */
  cursor: string;
  /** When the walk (the pass through the whole list) began. */
  passStartedAt: string;
}

export interface Store {
  // Connect sessions
  createConnectSession(session: ConnectSessionRecord): Promise<void>;
  /** The session whose token hashes to `tokenHash`, if it exists (expiry is the caller's to check). */
  findSessionByToken(tokenHash: string): Promise<ConnectSessionRecord | undefined>;
  /** Marks the launch code used, atomically: of two concurrent claims exactly one gets 'claimed'. */
  claimLaunch(launchHash: string, now: string): Promise<LaunchClaim>;

  // Flows
  createFlow(flow: FlowRecord): Promise<void>;
  /** Consumes the flow by its state, atomically: of concurrent claims exactly one gets 'consumed'. */
  consumeFlow(stateHash: string, now: string): Promise<FlowClaim>;
  /** The flow's callback connected this connection: a replay of the callback answers it again. */
  recordFlowConnected(flowId: string, connectionId: string): Promise<void>;

  // Connections
  getConnection(id: string): Promise<ConnectionRecord | undefined>;
  getConnectionByEndUser(endUserId: string): Promise<ConnectionRecord | undefined>;
  listConnections(query: ConnectionListQuery): Promise<ConnectionRecord[]>;
  /**
   * Creates or updates the end user's connection for a registered credential, in one transaction. In the same
   * transaction: every connection on one of `replacesCredentialIds` moves to the new credential, and every
   * detached connection (no credential) of the same Zoom identity is relinked to it: the same Zoom user for a
   * user-level app, the same Zoom account for an account-level one (`appKind`), never either one.
   * All of them take the snapshot's fields, with last_checked_at = updated_at = now.
   * Throws CredentialDeletedError, having written nothing, when the credential was recorded deleted
   * (recordCredentialDeleted), checked inside the same transaction.
   */
  saveConnection(input: SaveConnectionInput): Promise<SaveConnectionResult>;
  /**
   * The gateway deleted the credential at Recall and Recall confirmed it (deleted, or already gone): a tombstone,
   * so no later save puts a connection on it. Recording it again changes nothing.
   */
  recordCredentialDeleted(credentialId: string, now: string): Promise<void>;
  /** The connections that point at the credential. */
  connectionsOnCredential(credentialId: string): Promise<ConnectionRecord[]>;
  /** How many connections point at the credential, leaving out `exceptConnectionId`. */
  countCredentialUsers(credentialId: string, exceptConnectionId?: string): Promise<number>;
  /**
   * The credential was deleted at Recall and nothing replaces it yet: every connection that pointed at it
   * loses it (credential and status null) and becomes needs_reauth. Returns how many changed.
   */
  detachCredential(credentialId: string, now: string, options?: ChangeOptions): Promise<number>;
  /**
   * Records what Recall said about a credential on every connection that uses it (last_checked_at always;
   * updated_at only when status or recall_status changed). Returns the connections as they are now.
   */
  recordCredentialHealth(credentialId: string, update: HealthUpdate): Promise<ConnectionRecord[]>;
  /** Deletes the connection; with `recordEvents`, a connection.deleted event in the same transaction. */
  deleteConnection(id: string, options?: ChangeOptions & { now: string }): Promise<boolean>;

  // Health
  /** The credentials some connection last saw unhealthy (with `checkedAtOrBefore`, and last checked then or before). */
  listUnhealthyCredentialIds(checkedAtOrBefore?: string): Promise<string[]>;
  /** Credentials with a connection not checked since `checkedBefore` (or never), least recently checked first. */
  listCredentialsCheckedBefore(checkedBefore: string, limit: number): Promise<string[]>;

  // Outbox: events written in the same transaction as the change they describe, delivered at least once
  /** Records an event that goes with no stored change (connect.failed). */
  recordEvent(event: StoreEvent, now: string): Promise<void>;
  /**
   * Claims, atomically, up to `limit` events due for delivery: for each end user only the oldest pending event,
   * and only when no other claim on it holds, so one end user's events go out one at a time, in order, and two
   * dispatchers never hold the same event.
   */
  claimEvents(claim: EventClaim): Promise<OutboxEvent[]>;
  /** The claimed event was delivered. False when the claim was lost (expired and taken by another holder). */
  markEventDelivered(id: string, holder: string, now: string): Promise<boolean>;
  /** The claimed event failed this time: tried again at `nextAttemptAt`. */
  rescheduleEvent(id: string, holder: string, retry: { nextAttemptAt: string; error: string }): Promise<boolean>;
  /** The claimed event is given up (too old): the end user's next events go ahead. */
  markEventFailed(id: string, holder: string, failure: { now: string; error: string }): Promise<boolean>;
  outboxBacklog(): Promise<OutboxBacklog>;
  /** Deletes delivered and given-up events finished before `before`. */
  purgeFinishedEvents(before: string): Promise<number>;

  // Recall's per-workspace rate limits, shared by every instance on the database
  /**
   * Takes one call of the budget at `now`, atomically: granted while fewer than `perMinute` calls were granted
   * in the last 60 seconds (and no pause holds), else when to ask again.
   */
  takeRequestSlot(budget: RequestBudgetName, now: string): Promise<BudgetGrant>;
  /** Nothing of the budget is granted before `until` (Recall's 429); a later pause wins over an earlier one. */
  pauseRequests(name: string, until: string): Promise<void>;
  /** Where the named job's walk stopped, if it is in the middle of one. */
  readSyncPosition(name: string): Promise<SyncPosition | undefined>;
  /** Saves where the walk stands; null when it ended (the next run starts a new pass). */
  saveSyncPosition(name: string, position: SyncPosition | null, now: string): Promise<void>;

  // Leases: one holder at a time for a background job shared by several instances
  /** Takes the lease, or extends it when `holder` has it already; false while another holder's lease runs. */
  acquireLease(lease: Lease): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  // Housekeeping
  /**
   * Deletes sessions and flows that expired more than `retentionMs` ago. Keeping them that much longer lets a
   * late callback still tell state_reused / state_expired from state_invalid, and find its session.
   */
  purgeExpired(now: string, retentionMs: number): Promise<{ sessions: number; flows: number }>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
