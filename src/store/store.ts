// The Store is everything the domain (src/connect/, src/credentials/) needs from persistence, in its own words.
// SQLite (sqlite.ts) and PostgreSQL (postgres.ts) implement it with the same Kysely code (kysely-store.ts).
// Reads and the flow's own rows are plain methods; every change to connections and credentials goes through
// `transaction`, a unit of work whose repositories share one transaction with the events the domain publishes.
// Secrets never reach it in the clear: session tokens, launch codes, states and binding values arrive as
// SHA-256 hashes (base64url). Timestamps are ISO-8601 UTC strings (`Date#toISOString()`), which compare
// correctly as text and read the same from every back end.
import type { ConnectMode, ConnectionStatus } from '../../generated/gateway/types.gen.js';

import type { OwedDeletion, RetiredCredential, StoreTransaction } from './changes.js';

// What the domain's unit of work changes (Store.transaction): its repositories, their inputs and what they report.
export type * from './changes.js';

/**
 * The database cannot be reached (down, restarting, out of connections). A back end throws this instead of
 * its driver's error, so the API answers 503 store_unavailable and the service recovers by itself once the
 * database is back.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * A save refused a credential the gateway retired in the meantime (deleted at Recall, or being deleted there):
 * nothing was written. The flow must start over; Recall no longer has the credential, or soon will not.
 */
export class CredentialDeletedError extends Error {
  override readonly name = 'CredentialDeletedError';
  constructor(readonly credentialId: string) {
    super(`The credential ${credentialId} was deleted at Recall; no connection may be saved onto it.`);
  }
}

// The contract's own types (gateway.yaml), not copies: a connection's status is one thing everywhere.
export type { ConnectMode, ConnectionStatus };

/**
 * A save refused a credential that Recall has since replaced: the store holds the same Zoom identity under a
 * credential Recall created later (a re-authorization answered with a new id, saved first). Nothing was written;
 * the stale credential is the one to retire, and the flow starts over to get Recall's current one.
 */
export class CredentialSupersededError extends Error {
  override readonly name = 'CredentialSupersededError';
  constructor(
    readonly credentialId: string,
    readonly currentCredentialId: string,
  ) {
    super(`The credential ${credentialId} was replaced at Recall by ${currentCredentialId}, created after it.`);
  }
}

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
  /**
   * When Recall created it: of two credentials of one Zoom identity, the later one is Recall's current one.
   * Missing (or null) when Recall's answer had none: such a credential is taken as the current one.
   */
  createdAt?: string | null;
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

export interface ConnectionListQuery {
  endUserId?: string;
  status?: ConnectionStatus;
  limit: number;
  /** Keyset position: rows strictly after this one in (createdAt desc, id desc) order. */
  after?: { createdAt: string; id: string };
}

// Events: the domain names them (src/credentials/, src/connect/) and builds their bodies (src/events/bodies.ts);
// the store keeps them in the outbox, in the transaction of the change they describe, without looking inside.
export type EventType = 'connection.created' | 'connection.reauthorized' | 'connection.status_changed' | 'connection.deleted' | 'connect.failed';

/** An event the domain publishes: its body, versioned (`v`), and what the outbox orders and finds it by. */
export interface OutboxEntry {
  type: EventType;
  /** The end user it is about: an end user's events are delivered one at a time, in the order published. */
  endUserId: string;
  connectionId: string | null;
  /** What is delivered (with the outbox's id and time), as JSON; `v` says which shape it has. */
  body: { v: number };
}

/** An event in the outbox, as a dispatcher claimed it. */
export interface OutboxEvent {
  /** Stable across retries: receivers drop duplicates by it (`webhook-id`). */
  id: string;
  /** Commit order of the outbox; events of one end user are delivered in this order. */
  seq: number;
  type: EventType;
  /**
   * The stored body, parsed: an OutboxEntry's body, or (written before bodies were versioned) the store's
   * record of the event; src/events/payload.ts reads both.
   */
  body: unknown;
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
  /** The connections that point at the credential. */
  connectionsOnCredential(credentialId: string): Promise<ConnectionRecord[]>;
  /** How many connections point at the credential, leaving out `exceptConnectionId`. */
  countCredentialUsers(credentialId: string, exceptConnectionId?: string): Promise<number>;

  // Changes: connections and credentials, with the events they make
  /**
   * Runs `work` in one transaction: its changes and the events it publishes commit together, or not at all.
   * PostgreSQL may run `work` again from the start (a deadlock it broke), so `work` does nothing outside the
   * store (no Recall call): the domain calls Recall before or after it.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;

  // Credentials
  /** Whether the gateway retired the credential, and whether its delete at Recall is still owed. */
  retiredCredential(credentialId: string): Promise<RetiredCredential | undefined>;
  /** Retired credentials whose delete at Recall is owed and due at `now`, oldest first. */
  deletionsOwed(now: string, limit: number): Promise<OwedDeletion[]>;

  // Health
  /** The credentials some connection last saw unhealthy (with `checkedAtOrBefore`, and last checked then or before). */
  listUnhealthyCredentialIds(checkedAtOrBefore?: string): Promise<string[]>;
  /** Credentials with a connection not checked since `checkedBefore` (or never), least recently checked first. */
  listCredentialsCheckedBefore(checkedBefore: string, limit: number): Promise<string[]>;

  // Outbox: events written in the same transaction as the change they describe (StoreTransaction.publish),
  // delivered at least once
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
