// The unit of work: one transaction shared by the repositories of the domain's change (connections, retired
// credentials) and the outbox the events of that change go to. Whether events are kept at all is decided once,
// when the store is opened (OpenStoreOptions.events): a store without events drops what is published.

import type { Kysely } from 'kysely';
import { countCredentialUsers, deleteConnection, detachCredential, recordHealth } from './connections.js';
import { appendEvents } from './outbox.js';
import { credentialRetirements } from './retired-credentials.js';
import { moveCredential, saveConnection } from './save-connection.js';
import type { Database } from './schema.js';
import type { StoreTransaction } from './store.js';
import { inTransaction } from './transactions.js';

export interface UnitOfWorkOptions {
  /** Keep the events the domain publishes (WEBHOOK_URL is set); without, publishing writes nothing. */
  events: boolean;
}

export function runUnitOfWork<T>(db: Kysely<Database>, options: UnitOfWorkOptions, work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
  return inTransaction(db, (trx) =>
    work({
      connections: {
        save: (input) => saveConnection(trx, input),
        moveCredential: (fromCredentialId, credential, now) => moveCredential(trx, fromCredentialId, credential, now),
        detachCredential: (credentialId, now) => detachCredential(trx, credentialId, now),
        recordHealth: (credentialId, update) => recordHealth(trx, credentialId, update),
        delete: (id) => deleteConnection(trx, id),
        countCredentialUsers: (credentialId, exceptConnectionId) => countCredentialUsers(trx, credentialId, exceptConnectionId),
      },
      credentials: credentialRetirements(trx),
      publish: async (events, now) => {
        if (options.events) await appendEvents(trx, events, now);
      },
    }),
  );
}
