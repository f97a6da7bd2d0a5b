// The tables as Kysely sees them: snake_case columns that mirror the records of store.ts one to one.
// Timestamps are ISO-8601 UTC text (they sort correctly as text on every back end) and `attempt` is an integer.
// records.ts is the only place that turns these rows into records and back.

import type { Selectable } from 'kysely';
import type { ConnectMode, ConnectionStatus, MeetingSyncStatus, RecallStatus } from './store.js';

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
}

export interface Database {
  connect_sessions: ConnectSessionsTable;
  flows: FlowsTable;
  connections: ConnectionsTable;
}

export type ConnectSessionRow = Selectable<ConnectSessionsTable>;
export type FlowRow = Selectable<FlowsTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
