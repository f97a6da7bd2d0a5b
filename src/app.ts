// buildApp assembles the service: the HTTP server's options, then the cross-cutting plugins, the gateway's own
// (store, metrics, Recall, what the flow is given), the routes, and the background jobs. Each part is a plugin
// that opens what it needs and closes it with the app; nothing here touches the process, so tests build the real
// app (with their own store, Recall client and clock). server.ts alone listens and handles signals.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import type { ConnectDeps } from './connect/deps.js';
import type { DispatcherSettings } from './events/dispatcher.js';
import type { HealthSyncOptions } from './health/scheduler.js';
import { httpServerOptions, type HttpLimits } from './http-server.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { RecallApi } from './recall/recall-api.js';
import type { Store } from './store/store.js';
import auth from './plugins/auth.js';
import connectDeps from './plugins/connect-deps.js';
import contractParsing from './plugins/contract-parsing.js';
import healthSync from './plugins/health-sync.js';
import housekeeping from './plugins/housekeeping.js';
import loadShedding, { type LoadSheddingOptions } from './plugins/load-shedding.js';
import metrics from './plugins/metrics.js';
import outboxDispatcher, { type WebhookOptions } from './plugins/outbox-dispatcher.js';
import problems from './plugins/problems.js';
import recall from './plugins/recall.js';
import securityHeaders from './plugins/security-headers.js';
import store from './plugins/store.js';
import { connectSessionRoutes } from './routes/connect-sessions.js';
import { connectRoutes } from './routes/connect.js';
import { connectionRoutes } from './routes/connections.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import type { RateLimits } from './routes/rate-limits.js';
import type { RouteOptions } from './routes/route-deps.js';

export type { WebhookOptions };

/** What demo mode adds to the app: its routes, and a wrapper of the Recall client the app makes. */
export interface DemoParts {
  routes: FastifyPluginAsync<RouteOptions>;
  /** Demo mode's Recall is the stateless Prism mock: see src/demo/fresh-credential-ids.ts. */
  recall?: (recall: RecallApi, store: Store) => RecallApi;
}

export interface AppOptions {
  /**
   * The configuration, and what a test gives instead of what the app would make from it: a store (which the test
   * closes), a Recall client, the Zoom OAuth app's kind (given, start-up does not ask Recall), a clock.
   */
  deps: { config: Config } & Partial<Omit<ConnectDeps, 'config' | 'log'>>;
  rateLimits?: Partial<RateLimits>;
  /** Where logs go (tests capture them to prove no secret is written); stdout by default. */
  logStream?: DestinationStream;
  /** The app's metrics, when made outside (tests that read them); by default the app makes its own. */
  metrics?: GatewayMetrics;
  /** Purge expired sessions and flows in the background (off in most tests). */
  housekeeping?: boolean | { everyMs: number };
  /** Poll Recall for credential health every HEALTH_SYNC_INTERVAL_S, when that is not 0 (off in most tests). */
  healthSync?: boolean | Partial<HealthSyncOptions>;
  /** Deliver the outbox to WEBHOOK_URL, when it is set (off in most tests). */
  webhooks?: boolean | (Partial<DispatcherSettings> & WebhookOptions);
  /** Demo mode's parts (src/demo/), which server.ts loads only in demo mode. */
  demo?: DemoParts;
  /** Timeouts and body limit (http-server.ts's defaults otherwise). */
  http?: Partial<HttpLimits>;
  /** When to shed load (load-shedding.ts's defaults otherwise). */
  loadShedding?: Partial<LoadSheddingOptions>;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, now = () => new Date() } = options.deps;
  const rateLimits: RateLimits = { sessionsPerMinute: 600, browserPerMinute: 120, failedAuthPerMinute: 20, ...options.rateLimits };
  const app = Fastify(httpServerOptions(config, { logStream: options.logStream, limits: options.http }));
  // The configuration's warnings first, before a plugin reaches out (the recall plugin reads the Zoom OAuth app
  // from Recall): a start that fails there has still said what looked wrong in the configuration.
  for (const warning of config.warnings) app.log.warn(warning);

  await app.register(problems);
  await app.register(contractParsing);
  await app.register(securityHeaders);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(loadShedding, options.loadShedding ?? {});

  await app.register(store, { config, store: options.deps.store });
  await app.register(metrics, { metrics: options.metrics, now });
  await app.register(recall, { config, recall: options.deps.recall, appKind: options.deps.appKind, wrap: options.demo?.recall });
  await app.register(connectDeps, { config, now });
  // Awaited registration has loaded every plugin above: what the flow is given is decorated by now.
  const deps = app.connectDeps;
  await app.register(auth, { deps, failedPerMinute: rateLimits.failedAuthPerMinute });

  await app.register(docsRoutes, { deps });
  await app.register(healthRoutes, { deps });
  await app.register(connectSessionRoutes, { deps, rateLimits });
  await app.register(connectRoutes, { deps, rateLimits, metrics: app.metrics });
  await app.register(connectionRoutes, { deps });
  await app.register(meRoutes, { deps, prefix: '/v1/me' });
  await app.register(metricsRoutes, { metrics: app.metrics });
  if (options.demo) await app.register(options.demo.routes, { deps });

  await app.register(housekeeping, { enabled: options.housekeeping });
  await app.register(healthSync, { enabled: options.healthSync });
  await app.register(outboxDispatcher, { enabled: options.webhooks });
  return app;
}
