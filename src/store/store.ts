// The Store is everything src/connect/ needs from persistence, in the flow's own words. SQLite implements
// it today (sqlite.ts); PostgreSQL can implement the same interface later without touching the flow.
// Secrets never reach it in the clear: session tokens, launch codes, states and binding values arrive as
// SHA-256 hashes (base64url). Timestamps are ISO-8601 UTC strings (`Date#toISOString()`), which compare
// correctly as text and read the same from every back end.

/**
 * The database cannot be reached (down, restarting, out of connections). A back end throws this instead of
 * its driver's error, so the API answers 503 store_unavailable and the service recovers by itself once the
 * database is back.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export type ConnectMode = 'redirect' | 'popup';
export type ConnectionStatus = 'connected' | 'needs_reauth';
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
  | { outcome: 'reused'; flow: FlowRecord; session: ConnectSessionRecord | undefined }
  | { outcome: 'unknown' };

export interface SaveConnectionInput {
  /** A fresh id, used only if the end user has no connection yet. */
  newConnectionId: string;
  endUserId: string;
  credential: CredentialSnapshot;
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

  // Connections
  getConnection(id: string): Promise<ConnectionRecord | undefined>;
  getConnectionByEndUser(endUserId: string): Promise<ConnectionRecord | undefined>;
  listConnections(query: ConnectionListQuery): Promise<ConnectionRecord[]>;
  /**
   * Creates or updates the end user's connection for a registered credential, in one transaction. In the same
   * transaction: every connection on one of `replacesCredentialIds` moves to the new credential, and every
   * detached connection (no credential) of the same Zoom identity (account id, or user id) is relinked to it.
   * All of them take the snapshot's fields, with last_checked_at = updated_at = now.
   */
  saveConnection(input: SaveConnectionInput): Promise<SaveConnectionResult>;
  /** How many connections point at the credential, leaving out `exceptConnectionId`. */
  countCredentialUsers(credentialId: string, exceptConnectionId?: string): Promise<number>;
  /**
   * The credential was deleted at Recall and nothing replaces it yet: every connection that pointed at it
   * loses it (credential and status null) and becomes needs_reauth. Returns how many changed.
   */
  detachCredential(credentialId: string, now: string): Promise<number>;
  /**
   * Records what Recall said about a credential on every connection that uses it (last_checked_at always;
   * updated_at only when status or recall_status changed). Returns the connections as they are now.
   */
  recordCredentialHealth(credentialId: string, update: HealthUpdate): Promise<ConnectionRecord[]>;
  deleteConnection(id: string): Promise<boolean>;

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
