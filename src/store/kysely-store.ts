// The Store on any Kysely database with this schema. The queries are portable SQL (conditional UPDATE ...
// RETURNING, keyset pagination), so each back end only has to open its database and hand it over here.

import type { Kysely } from 'kysely';
import { claimLaunch, createConnectSession, findSessionByToken } from './connect-sessions.js';
import {
  connectionsOnCredential,
  countCredentialUsers,
  getConnection,
  getConnectionByEndUser,
  listConnections,
  listCredentialsCheckedBefore,
  listUnhealthyCredentialIds,
} from './connections.js';
import { consumeFlow, createFlow, recordFlowConnected } from './flows.js';
import { ping, purgeExpired } from './housekeeping.js';
import { acquireLease, releaseLease } from './leases.js';
import { claimEvents, markEventDelivered, markEventFailed, outboxBacklog, purgeFinishedEvents, rescheduleEvent } from './outbox.js';
import { pauseRequests, takeRequestSlot } from './request-budgets.js';
import { deletionsOwed, retiredCredential } from './retired-credentials.js';
import type { Database } from './schema.js';
import { readSyncPosition, saveSyncPosition } from './sync-positions.js';
import type { Store } from './store.js';
import { runUnitOfWork, type UnitOfWorkOptions } from './unit-of-work.js';

export function kyselyStore(db: Kysely<Database>, close: () => Promise<void>, options: UnitOfWorkOptions): Store {
  return {
    createConnectSession: (session) => createConnectSession(db, session),
    findSessionByToken: (tokenHash) => findSessionByToken(db, tokenHash),
    claimLaunch: (launchHash, now) => claimLaunch(db, launchHash, now),
    createFlow: (flow) => createFlow(db, flow),
    consumeFlow: (stateHash, now) => consumeFlow(db, stateHash, now),
    recordFlowConnected: (flowId, connectionId) => recordFlowConnected(db, flowId, connectionId),
    getConnection: (id) => getConnection(db, id),
    getConnectionByEndUser: (endUserId) => getConnectionByEndUser(db, endUserId),
    listConnections: (query) => listConnections(db, query),
    connectionsOnCredential: (credentialId) => connectionsOnCredential(db, credentialId),
    countCredentialUsers: (credentialId, exceptConnectionId) => countCredentialUsers(db, credentialId, exceptConnectionId),
    transaction: (work) => runUnitOfWork(db, options, work),
    retiredCredential: (credentialId) => retiredCredential(db, credentialId),
    deletionsOwed: (now, limit) => deletionsOwed(db, now, limit),
    listUnhealthyCredentialIds: (checkedAtOrBefore) => listUnhealthyCredentialIds(db, checkedAtOrBefore),
    listCredentialsCheckedBefore: (checkedBefore, limit) => listCredentialsCheckedBefore(db, checkedBefore, limit),
    claimEvents: (claim) => claimEvents(db, claim),
    markEventDelivered: (id, holder, now) => markEventDelivered(db, id, holder, now),
    rescheduleEvent: (id, holder, retry) => rescheduleEvent(db, id, holder, retry),
    markEventFailed: (id, holder, failure) => markEventFailed(db, id, holder, failure),
    outboxBacklog: () => outboxBacklog(db),
    purgeFinishedEvents: (before) => purgeFinishedEvents(db, before),
    takeRequestSlot: (budget, now) => takeRequestSlot(db, budget, now),
    pauseRequests: (name, until) => pauseRequests(db, name, until),
    readSyncPosition: (name) => readSyncPosition(db, name),
    saveSyncPosition: (name, position, now) => saveSyncPosition(db, name, position, now),
    acquireLease: (lease) => acquireLease(db, lease),
    releaseLease: (name, holder) => releaseLease(db, name, holder),
    purgeExpired: (now, retentionMs) => purgeExpired(db, now, retentionMs),
    ping: () => ping(db),
    close,
  };
}
