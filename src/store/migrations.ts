// Schema changes, in code: the migrations ship inside the build, so nothing is read from disk at run time.
// Only portable column types (text, integer) and named constraints, so the same migrations can run on
// PostgreSQL when that back end arrives. Never edit a migration that has shipped; add the next one.

import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { locksRows } from './transactions.js';

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('connect_sessions')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('token_hash', 'text', (col) => col.notNull())
      .addColumn('launch_hash', 'text', (col) => col.notNull())
      .addColumn('end_user_id', 'text', (col) => col.notNull())
      .addColumn('return_to', 'text')
      .addColumn('mode', 'text', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull())
      .addColumn('launched_at', 'text')
      .addUniqueConstraint('connect_sessions_token_hash_key', ['token_hash'])
      .addUniqueConstraint('connect_sessions_launch_hash_key', ['launch_hash'])
      .execute();
    await db.schema
      .createTable('flows')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('state_hash', 'text', (col) => col.notNull())
      .addColumn('binding_hash', 'text', (col) => col.notNull())
      .addColumn('session_id', 'text', (col) => col.notNull())
      .addColumn('code_verifier', 'text', (col) => col.notNull())
      .addColumn('issuer', 'text', (col) => col.notNull())
      .addColumn('attempt', 'integer', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull())
      .addColumn('consumed_at', 'text')
      .addUniqueConstraint('flows_state_hash_key', ['state_hash'])
      .addForeignKeyConstraint('flows_session_id_fkey', ['session_id'], 'connect_sessions', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('connections')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('end_user_id', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('recall_credential_id', 'text')
      .addColumn('recall_status', 'text')
      .addColumn('zoom_user_id', 'text')
      .addColumn('zoom_account_id', 'text')
      .addColumn('meeting_sync_status', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull())
      .addColumn('last_checked_at', 'text')
      // One connection per end user: reconnecting updates it.
      .addUniqueConstraint('connections_end_user_id_key', ['end_user_id'])
      .execute();

    // Credential sharing (detach, health, replace) looks connections up by credential.
    await db.schema.createIndex('connections_recall_credential_id_idx').on('connections').column('recall_credential_id').execute();
    // The keyset order of GET /v1/connections.
    await db.schema.createIndex('connections_created_at_id_idx').on('connections').columns(['created_at', 'id']).execute();
    // purgeExpired.
    await db.schema.createIndex('flows_expires_at_idx').on('flows').column('expires_at').execute();
    await db.schema.createIndex('connect_sessions_expires_at_idx').on('connect_sessions').column('expires_at').execute();
    // Neither SQLite nor PostgreSQL indexes a foreign key by itself; without this, deleting a session scans flows.
    await db.schema.createIndex('flows_session_id_idx').on('flows').column('session_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('connections').execute();
    await db.schema.dropTable('flows').execute();
    await db.schema.dropTable('connect_sessions').execute();
  },
};

// Health sync, signed outbound events: the outbox (written in the same transaction as the change it describes),
// the counter that orders it, and leases for background jobs that only one instance may run at a time.
const outboxAndLeases: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sequences')
      .addColumn('name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('value', 'integer', (col) => col.notNull())
      .execute();
    await sql`insert into sequences (name, value) values ('outbox_events', 0)`.execute(db);
    await db.schema
      .createTable('outbox_events')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('ordering_key', 'text', (col) => col.notNull())
      .addColumn('connection_id', 'text')
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('next_attempt_at', 'text', (col) => col.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('claim_expires_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('finished_at', 'text')
      .addUniqueConstraint('outbox_events_seq_key', ['seq'])
      .execute();
    // The claim: due pending events in seq order, and "no earlier pending event of the same end user".
    await db.schema.createIndex('outbox_events_status_next_attempt_at_idx').on('outbox_events').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('outbox_events_ordering_key_seq_idx').on('outbox_events').columns(['ordering_key', 'seq']).execute();
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('holder', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull())
      .execute();
    // The health sync picks credentials by their connections' health and age of last check.
    await db.schema.createIndex('connections_recall_status_idx').on('connections').column('recall_status').execute();
    await db.schema.createIndex('connections_last_checked_at_idx').on('connections').column('last_checked_at').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('connections_last_checked_at_idx').execute();
    await db.schema.dropIndex('connections_recall_status_idx').execute();
    await db.schema.dropTable('leases').execute();
    await db.schema.dropTable('outbox_events').execute();
    await db.schema.dropTable('sequences').execute();
  },
};

// Tombstones of credentials the gateway deleted at Recall (and Recall confirmed gone): a callback that Recall
// answered with a credential another flow deleted in the meantime must not save a connection onto it.
const deletedCredentials: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('deleted_credentials')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('deleted_at', 'text', (col) => col.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('deleted_credentials').execute();
  },
};

// Why a connection needs a new authorization: the latest entry of Recall's log for its credential, kept when the
// connection turns needs_reauth (Recall's status alone never says why).
const reauthReason: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('connections').addColumn('reauth_reason', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('connections').dropColumn('reauth_reason').execute();
  },
};

// Recall's rate limits are per workspace: the budgets every instance spends (a slot per call a minute, and a pause
// after a 429), and where the health sync's walk through Recall's list stopped, for the next run to go on.
const sharedBudgetsAndPositions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('request_budget_slots')
      .addColumn('budget', 'text', (col) => col.notNull())
      .addColumn('slot', 'integer', (col) => col.notNull())
      .addColumn('granted_at', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('request_budget_slots_pkey', ['budget', 'slot'])
      .execute();
    await db.schema
      .createTable('request_budget_pauses')
      .addColumn('budget', 'text', (col) => col.primaryKey().notNull())
      .addColumn('paused_until', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('sync_positions')
      .addColumn('name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('cursor', 'text', (col) => col.notNull())
      .addColumn('pass_started_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('sync_positions').execute();
    await db.schema.dropTable('request_budget_pauses').execute();
    await db.schema.dropTable('request_budget_slots').execute();
  },
};

// The outcome a finished flow answered: the connection it connected. A replayed callback (a reload of the result,
// the back button) answers it again instead of calling Recall with a spent code or reporting state_reused.
const flowOutcomes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('flows').addColumn('connection_id', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('flows').dropColumn('connection_id').execute();
  },
};

// PostgreSQL without a global lock (outbox.ts appendEvents): an end user's outbox events take their numbers
// one transaction after the other by locking that end user's ordering-key row, from a sequence instead of the
// counter row every event-writing transaction used to queue on. SQLite keeps the counter (one writer at a time).
const concurrentOutboxOrder: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (!locksRows(db)) return;
    await db.schema
      .createTable('outbox_ordering_keys')
      .addColumn('ordering_key', 'text', (col) => col.primaryKey().notNull())
      .addColumn('last_event_at', 'text', (col) => col.notNull())
      .execute();
    // An instance of the previous version still running during a rolling upgrade numbers from the counter row:
    // starting the sequence a million further keeps its numbers and the sequence's apart.
    await sql`create sequence outbox_events_seq as integer owned by outbox_events.seq`.execute(db);
    await sql`select setval('outbox_events_seq', (select value from sequences where name = 'outbox_events') + 1000000)`.execute(db);
    await sql`alter table outbox_events alter column seq set default nextval('outbox_events_seq')`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (!locksRows(db)) return;
    await sql`alter table outbox_events alter column seq drop default`.execute(db);
    await sql`drop sequence outbox_events_seq`.execute(db);
    await db.schema.dropTable('outbox_ordering_keys').execute();
  },
};

// One credential lifecycle (src/credentials/): a retired credential's delete at Recall is owed until Recall
// confirms it (a crash or a failed delete between moving its connections and deleting it is retried, never
// forgotten); and when Recall created each connection's credential, so that of two credentials of one Zoom
// identity (a re-authorization answered with a new id) the later one wins. Outbox payloads written from now on
// are versioned webhook bodies; the rows written before keep the old shape, which the dispatcher still reads.
const credentialLifecycle: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('connections').addColumn('recall_credential_created_at', 'text').execute();
    await db.schema
      .createTable('owed_credential_deletions')
      .addColumn('credential_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('owed_since', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('next_attempt_at', 'text', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .execute();
    await db.schema.createIndex('owed_credential_deletions_next_attempt_at_idx').on('owed_credential_deletions').column('next_attempt_at').execute();
    // The save's look-up of a Zoom identity's other credentials, by the app kind's id.
    await db.schema.createIndex('connections_zoom_user_id_idx').on('connections').column('zoom_user_id').execute();
    await db.schema.createIndex('connections_zoom_account_id_idx').on('connections').column('zoom_account_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('connections_zoom_account_id_idx').execute();
    await db.schema.dropIndex('connections_zoom_user_id_idx').execute();
    await db.schema.dropTable('owed_credential_deletions').execute();
    await db.schema.alterTable('connections').dropColumn('recall_credential_created_at').execute();
  },
};

/** Every migration, by name; Kysely applies them in name order, each at most once. */
export const migrations: Record<string, Migration> = {
  '2026_11_29_001_initial': initial,
  '2026_12_06_002_outbox_and_leases': outboxAndLeases,
  '2026_12_13_003_deleted_credentials': deletedCredentials,
  '2026_12_20_004_flow_outcomes': flowOutcomes,
  '2026_12_20_005a_reauth_reason': reauthReason,
  '2026_12_20_005b_shared_budgets_and_positions': sharedBudgetsAndPositions,
  '2026_12_20_006_concurrent_outbox_order': concurrentOutboxOrder,
  '2026_12_27_007_credential_lifecycle': credentialLifecycle,
};

/** The names of every migration this build ships, in the order they apply. */
export const migrationNames: readonly string[] = Object.keys(migrations).sort();

const inCodeMigrations: MigrationProvider = {
  getMigrations: async () => migrations,
};

/** Brings the schema up to date; throws an Error naming the migration that failed. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: inCodeMigrations });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  const reason = error instanceof Error ? error.message : String(error);
  const which = failed === undefined ? 'Database migration (before any migration ran)' : `Database migration ${failed}`;
  throw new Error(`${which} failed: ${reason}`, { cause: error });
}
