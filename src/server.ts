// The process entry: config -> (demo mocks) -> store -> Recall check -> app -> listen -> graceful close.
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, isDemo, loadConfig, type Config } from './config.js';
import { randomSecret } from './connect/secrets.js';
import { withFreshCredentialIds } from './demo/fresh-credential-ids.js';
import type { PrismMock } from '../mocks/prism.js';
import { budgetListCalls, LIST_BUDGET, RequestBudget } from './health/request-budget.js';
import { LIST_CALLS_PER_MINUTE } from './health/sync.js';
import { createGatewayMetrics } from './metrics/gateway-metrics.js';
import { createRecallClient } from './recall/client.js';
import { checkOauthApp } from './recall/oauth-app-check.js';
import { openStore } from './store/index.js';

interface Configured {
  config: Config;
  recallMock?: PrismMock;
  /** The API key made up for a demo run (demo mode has no GATEWAY_API_KEYS). */
  demoApiKey?: string;
}

async function configure(): Promise<Configured> {
  if (!isDemo(process.env)) return { config: loadConfig() };
  // Demo mode: Recall is an in-process Prism mock of openapi/recall.yaml.
  // Loaded only in demo mode: Prism takes most of a second to import, which a real start need not pay.
  const { startPrism, specPaths } = await import('../mocks/prism.js');
  const recallMock = await startPrism(specPaths.recall);
  try {
    const config = loadConfig({ ...process.env, RECALL_BASE_URL: recallMock.url });
    const demoApiKey = `demo_${randomSecret(24)}`;
    config.apiKeys = [demoApiKey];
    return { config, recallMock, demoApiKey };
  } catch (error) {
    await recallMock.close();
    throw error;
  }
}

function banner({ config, demoApiKey }: Configured): string {
  if (!config.demo) return `Zoom Connect Gateway on ${config.publicUrl} (Recall ${config.recall.baseUrl}); docs at ${config.publicUrl}/docs`;
  const key = demoApiKey ?? '<demo API key>';
  return [
    'Zoom Connect Gateway: DEMO MODE (none of RECALL_API_KEY, RECALL_ZOOM_OAUTH_APP_ID, ZOOM_CLIENT_ID, ZOOM_REDIRECT_URI, GATEWAY_API_KEYS set): Recall is a local Prism mock, Zoom a stand-in page.',
    `  demo page:   ${config.publicUrl}/`,
    `  API docs:    ${config.publicUrl}/docs`,
    `  demo API key (this run only): ${key}`,
    `  try: curl -s -X POST ${config.publicUrl}/v1/connect-sessions -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '{"end_user_id":"user_42"}'`,
  ].join('\n');
}

async function main(): Promise<void> {
  const configured = await configure();
  const { config, recallMock } = configured;
  const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize, events: config.webhook !== null });
  const metrics = createGatewayMetrics();
  const recallClient = createRecallClient({
    baseUrl: config.recall.baseUrl,
    apiKey: config.recall.apiKey,
    oauthAppId: config.recall.oauthAppId,
    timeoutMs: config.recall.timeoutMs,
    // Recall allows 60 list requests a minute per workspace: every page of every list (health sync, conflicts), of
    // every instance on the database, spends the one budget kept in the store.
    fetch: budgetListCalls(new RequestBudget({ store, name: LIST_BUDGET, perMinute: LIST_CALLS_PER_MINUTE })),
    onCall: metrics.recallCall,
    // Retries are worth seeing in production; the client never logs the key, a code or a verifier.
    logger: pino({ level: config.logLevel, base: { component: 'recall' } }),
  });
  // The demo's Prism hands out deleted credential ids again; real Recall never does (src/demo/fresh-credential-ids.ts).
  const recall = config.demo ? withFreshCredentialIds(recallClient, store) : recallClient;
  const { app: oauthApp, warnings } = await checkOauthApp(recall, config);
  const app = await buildApp({
    deps: { config, store, recall, appKind: oauthApp.kind, now: () => new Date() },
    metrics,
    housekeeping: true,
    healthSync: true,
    webhooks: true,
  });
  for (const warning of [...config.warnings, ...warnings]) app.log.warn(warning);
  app.log.info({ oauthApp: oauthApp.id, kind: oauthApp.kind }, 'Zoom OAuth app read from Recall');

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing: letting in-flight requests finish');
    await app.close();
    await store.close();
    await recallMock?.close();
  });
  await app.listen({ port: config.port, host: config.host });
  console.log(banner(configured));
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: one clear message, no stack trace.
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
