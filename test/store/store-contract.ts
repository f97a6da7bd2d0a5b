// What every Store back end must do, written only against the Store interface: the SQLite store runs it
// today, and a PostgreSQL store must pass the very same suite before it ships.

import { describe } from 'vitest';
import type { OpenStore } from './contract/fixtures.js';
import { describeConnectSessions } from './contract/connect-sessions.js';
import { describeConnectionList } from './contract/connection-list.js';
import { describeCredentialSharing } from './contract/credential-sharing.js';
import { describeDeletedCredentials } from './contract/deleted-credentials.js';
import { describeFlows } from './contract/flows.js';
import { describeHousekeeping } from './contract/housekeeping.js';
import { describeLeases } from './contract/leases.js';
import { describeOutbox } from './contract/outbox.js';
import { describeRelinkByAppKind } from './contract/relink-by-app-kind.js';
import { describeSaveConnection } from './contract/save-connection.js';
import { describeSharedBudgets } from './contract/shared-budgets.js';

/** `open` must give a fresh, empty store on every call: each test opens its own and closes it. */
export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    describeConnectSessions(open);
    describeFlows(open);
    describeSaveConnection(open);
    describeRelinkByAppKind(open);
    describeCredentialSharing(open);
    describeDeletedCredentials(open);
    describeConnectionList(open);
    describeHousekeeping(open);
    describeOutbox(open);
    describeLeases(open);
    describeSharedBudgets(open);
  });
}
