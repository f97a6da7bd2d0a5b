// The gateway as src/server.ts assembles it (config from the environment, SQLite store, metrics, the Recall
// client with its timeouts and retries, the start-up check of the Zoom OAuth app, buildApp with housekeeping),
// with two differences for a load test from one address: the rate limits are lifted, and Recall is a fast stub
// inside this process (bench/recall-stub.ts), reached over HTTP on 127.0.0.1 like the real one. Built by
// bench/run.ts with esbuild into bench/.build/, and run with node: what is measured is the compiled gateway.
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createGatewayMetrics } from '../src/metrics/gateway-metrics.js';
import { createRecallClient } from '../src/recall/client.js';
import { checkOauthApp } from '../src/recall/oauth-app-check.js';
import { openStore } from '../src/store/index.js';
import { serveIpc } from './child-ipc.js';
import { startRecallStub } from './recall-stub.js';

const stub = await startRecallStub({
  oauthAppId: process.env.RECALL_ZOOM_OAUTH_APP_ID ?? '',
  zoomClientId: process.env.ZOOM_CLIENT_ID ?? '',
  delayMs: Number(process.env.BENCH_STUB_DELAY_MS ?? 0),
});
const config = loadConfig({ ...process.env, RECALL_BASE_URL: stub.url });
const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize, events: config.webhook !== null });
const metrics = createGatewayMetrics();
const recall = createRecallClient({
  baseUrl: config.recall.baseUrl,
  apiKey: config.recall.apiKey,
  oauthAppId: config.recall.oauthAppId,
  timeoutMs: config.recall.timeoutMs,
  onCall: metrics.recallCall,
  logger: pino({ level: config.logLevel, base: { component: 'recall' } }),
});
const { app: oauthApp } = await checkOauthApp(recall, config);
const app = await buildApp({
  deps: { config, store, recall, appKind: oauthApp.kind, now: () => new Date() },
  metrics,
  housekeeping: true,
  rateLimits: { sessionsPerMinute: 1_000_000_000, browserPerMinute: 1_000_000_000 },
});
await app.listen({ port: config.port, host: config.host });
const { port } = app.server.address() as { port: number };
serveIpc(
  port,
  async () => {
    await app.close();
    await store.close();
    await stub.close();
  },
  { stubUrl: stub.url },
);
