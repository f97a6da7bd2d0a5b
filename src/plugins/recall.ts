// The Recall client as a plugin, and the start-up read of the Zoom OAuth app (which proves the key, region and
// app id together, and says which Zoom id credentials carry). A test gives its own client and app kind.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { budgetListCalls, LIST_BUDGET, RequestBudget } from '../health/request-budget.js';
import { LIST_CALLS_PER_MINUTE } from '../health/sync.js';
import { createRecallClient } from '../recall/client.js';
import { checkOauthApp } from '../recall/oauth-app-check.js';
import type { RecallApi, ZoomAppKind } from '../recall/recall-api.js';
import type { Store } from '../store/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    recall: RecallApi;
    /** The Zoom OAuth app's kind, as Recall said at start-up. */
    zoomAppKind: ZoomAppKind;
  }
}

export interface RecallPluginOptions {
  config: Config;
  recall?: RecallApi;
  /** Given, start-up does not ask Recall (tests). */
  appKind?: ZoomAppKind;
  /** Wraps the client (demo mode's, over its stateless Prism mock). */
  wrap?: (recall: RecallApi, store: Store) => RecallApi;
}

function recallClientFor(app: FastifyInstance, config: Config): RecallApi {
  return createRecallClient({
    baseUrl: config.recall.baseUrl,
    apiKey: config.recall.apiKey,
    oauthAppId: config.recall.oauthAppId,
    timeoutMs: config.recall.timeoutMs,
    // Recall allows 60 list requests a minute per workspace: every page of every list (health sync, conflicts), of
    // every instance on the database, spends the one budget kept in the store.
    fetch: budgetListCalls(new RequestBudget({ store: app.store, name: LIST_BUDGET, perMinute: LIST_CALLS_PER_MINUTE })),
    onCall: app.metrics.recallCall,
    // Retries are worth seeing in production; the client never logs the key, a code or a verifier.
    logger: app.log.child({ component: 'recall' }),
  });
}

export default fp(
  async (app: FastifyInstance, { config, recall: given, appKind, wrap }: RecallPluginOptions) => {
    const client = given ?? recallClientFor(app, config);
    const recall = wrap ? wrap(client, app.store) : client;
    app.decorate('recall', recall);
    if (appKind) {
      app.decorate('zoomAppKind', appKind);
      return;
    }
    const { app: oauthApp, warnings } = await checkOauthApp(recall, config);
    for (const warning of warnings) app.log.warn(warning);
    app.log.info({ oauthApp: oauthApp.id, kind: oauthApp.kind }, 'Zoom OAuth app read from Recall');
    app.decorate('zoomAppKind', oauthApp.kind);
  },
  { name: 'recall', dependencies: ['store', 'metrics'] },
);
