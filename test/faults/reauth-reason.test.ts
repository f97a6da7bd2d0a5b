// The life of a reason, against the stateful fake Recall: a user connects, revokes the app in Zoom (Recall turns
// the credential unhealthy and logs why), the health sync turns the connection needs_reauth with Recall's words,
// and the user's reconnect clears it.
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/health/request-budget.js';
import { runHealthSync } from '../../src/health/sync.js';
import { appOrigin, testApiKey } from '../support/gateway.js';
import { connectFlow, type FlowPlan } from './browser.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';

const plan: FlowPlan = {
  endUserId: 'user_42',
  identity: { userId: 'zoom-user-42', accountId: 'zoom-account-1' },
  apiKey: testApiKey,
  returnTo: `${appOrigin}/settings`,
};
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('a connection revoked in Zoom, then reconnected', () => {
  let gateway: GatewayUnderTest | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it("needs a new authorization with Recall's reason, then is connected again with none", async () => {
    const g = (gateway = await startGateway());
    expect(await connectFlow(g.send, g.zoom, plan)).toMatchObject({ result: 'connected' });
    const connection = await g.store.getConnectionByEndUser('user_42');
    g.recall.revoke(connection!.recallCredentialId!, 'The user uninstalled the Zoom app: access was revoked.');

    const deps = { config: g.config, store: g.store, recall: g.recallApi, now: () => new Date(), log: quiet };
    await runHealthSync(deps, { callBudget: new RequestBudget({ store: g.store, name: 'health', perMinute: 60 }) });
    expect(await g.store.getConnectionByEndUser('user_42')).toMatchObject({
      status: 'needs_reauth',
      reauthReason: 'The user uninstalled the Zoom app: access was revoked.',
    });

    expect(await connectFlow(g.send, g.zoom, plan)).toMatchObject({ result: 'connected' });
    expect(await g.store.getConnectionByEndUser('user_42')).toMatchObject({ status: 'connected', reauthReason: null });
  });
});
