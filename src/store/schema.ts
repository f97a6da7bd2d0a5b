// The tables as Kysely sees them: snake_case columns that mirror the records of store.ts one to one.
// Timestamps are ISO-8601 UTC text (they sort correctly as text on every back end) and `attempt` is an integer.
// records.ts is the only place that turns these rows into records and back.

import type { ColumnType, Selectable } from 'kysely';
import type { ConnectMode, ConnectionStatus, EventType, MeetingSyncStatus, RecallStatus } from './store.js';

export interface ConnectSessionsTable {
  id: string;
  token_hash: string;
  launch_hash: string;
  end_user_id: string;
  return_to: string | null;
  mode: ConnectMode;
  created_at: string;
  expires_at: string;
  launched_at: string | null;
}

export interface FlowsTable {
  id: string;
  state_hash: string;
  binding_hash: string;
  session_id: string;
  code_verifier: string;
  issuer: string;
  attempt: number;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
  /** The connection the flow connected, once its callback finished connected; null otherwise. */
  connection_id: string | null;
}

export interface ConnectionsTable {
  id: string;
  end_user_id: string;
  status: ConnectionStatus;
  recall_credential_id: string | null;
  recall_status: RecallStatus | null;
  zoom_user_id: string | null;
  zoom_account_id: string | null;
  meeting_sync_status: MeetingSyncStatus | null;
  created_at: string;
  updated_at: string;
  last_checked_at: string | null;
  /** Why the connection is needs_reauth (Recall's log, or the credential gone); null while connected. */
  reauth_reason: string | null;
  /**
   * When Recall created the credential (its created_at), if it said: of two credentials of one Zoom identity,
   * the later one is current. Store-internal, not part of the connection record.
   */
  recall_credential_created_at: string | null;
}

export type OutboxEventStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxEventsTable {
  id: string;
  /**
   * Commit order per end user (outbox.ts appendEvents): from the `sequences` row `outbox_events` on SQLite, the
   * column's default (the outbox_events_seq sequence) on PostgreSQL.
   */
  seq: ColumnType<number, number | undefined, number>;
  type: EventType;
  /** The end user: events with the same key are delivered one at a time, in seq order. */
  ordering_key: string;
  connection_id: string | null;
  /**
   * The event's body as JSON: an OutboxEntry body, versioned (`v`); rows written before 2026_12_27_007 hold
   * the store's record of the event instead (src/events/payload.ts reads both).
   */
  payload: string;
  created_at: string;
  status: OutboxEventStatus;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claim_expires_at: string | null;
  last_error: string | null;
  finished_at: string | null;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

/** Named counters (portable stand-in for a sequence): `outbox_events` numbers the outbox. */
export interface SequencesTable {
  name: string;
  value: number;
}

/**
 * PostgreSQL only: one row per ordering key (end user) of the outbox, locked by every transaction that appends
 * events of that end user, so they take their seq numbers one after the other, in commit order.
 */
export interface OutboxOrderingKeysTable {
  ordering_key: string;
  last_event_at: string;
}

/**
 * A retired credential (a tombstone): the gateway deleted it at Recall, or is deleting it (an owed deletion);
 * no connection may be saved onto it again. `deleted_at` is when it was retired.
 */
export interface DeletedCredentialsTable {
  id: string;
  deleted_at: string;
}

/** A retired credential the gateway still has to delete at Recall: retried until Recall says it is gone. */
export interface OwedCredentialDeletionsTable {
  credential_id: string;
  owed_since: string;
  attempts: number;
  next_attempt_at: string;
  /** The last failure's problem code (never a secret). */
  last_error: string | null;
}

/** One call a minute of a shared Recall budget: when it was last granted (the epoch when never). */
export interface RequestBudgetSlotsTable {
  budget: string;
  slot: number;
  granted_at: string;
}

/** A budget paused after Recall's 429, until Retry-After has passed. */
export interface RequestBudgetPausesTable {
  budget: string;
  paused_until: string;
}

/** Where a job's walk through a Recall list stopped: the cursor of the next page, and when the walk began. */
export interface SyncPositionsTable {
  name: string;
  cursor: string;
  pass_started_at: string;
  updated_at: string;
}

export interface Database {
  connect_sessions: ConnectSessionsTable;
  flows: FlowsTable;
  connections: ConnectionsTable;
  outbox_events: OutboxEventsTable;
  leases: LeasesTable;
  sequences: SequencesTable;
  outbox_ordering_keys: OutboxOrderingKeysTable;
  deleted_credentials: DeletedCredentialsTable;
  owed_credential_deletions: OwedCredentialDeletionsTable;
  request_budget_slots: RequestBudgetSlotsTable;
  request_budget_pauses: RequestBudgetPausesTable;
  sync_positions: SyncPositionsTable;
}

export type ConnectSessionRow = Selectable<ConnectSessionsTable>;
export type FlowRow = Selectable<FlowsTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
export type OutboxEventRow = Selectable<OutboxEventsTable>;
