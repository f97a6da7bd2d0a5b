// buildApp assembles the service (external plugins, then ours, then routes), with no process globals,
// so tests build the real app. server.ts alone touches the process.
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { ConnectDeps } from './connect/deps.js';
import { startHousekeeping } from './connect/housekeeping.js';
import { webhookDeliverer } from './events/delivery.js';
import { startOutboxDispatcher, type DispatcherSettings } from './events/dispatcher.js';
import { startHealthSync, type HealthSyncOptions } from './health/scheduler.js';
import { loggerOptions } from './logger.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.js';
import auth from './plugins/auth.js';
import problems, { answerFrameworkError, answerMalformedRequest, validationProblem } from './plugins/problems.js';
import { connectSessionRoutes } from './routes/connect-sessions.js';
import { connectRoutes } from './routes/connect.js';
import { connectionRoutes } from './routes/connections.js';
import { demoRoutes } from './routes/demo.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import type { RateLimits } from './routes/rate-limits.js';

export interface AppOptions {
  deps: Omit<ConnectDeps, 'log'>;
  rateLimits?: Partial<RateLimits>;
  /** Where logs go (tests capture them to prove no secret is written); stdout by default. */
  logStream?: DestinationStream;
  /** Purge expired sessions and flows in the background (off in most tests). */
  housekeeping?: boolean;
  /**
   * The app's metrics. server.ts makes them before the Recall client, whose `onCall` feeds them; by default
   * the app makes its own (without Recall calls).
   */
  metrics?: GatewayMetrics;
  /** Poll Recall for credential health every HEALTH_SYNC_INTERVAL_S, when that is not 0 (off in most tests). */
  healthSync?: boolean | Partial<HealthSyncOptions>;
  /** Deliver the outbox to WEBHOOK_URL, when it is set (off in most tests). */
  webhooks?: boolean | (Partial<DispatcherSettings> & WebhookOptions);
}

export interface WebhookOptions {
  /** How long one delivery may take. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options.deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    // Routes are exactly gateway.yaml's operations: no implicit HEAD twins.
    exposeHeadRoutes: false,
    trustProxy: config.trustProxy,
    frameworkErrors: answerFrameworkError,
    schemaErrorFormatter: validationProblem,
    clientErrorHandler: answerMalformedRequest,
  });
  // No operation takes a body on GET or DELETE: ignore one (a stray Content-Type: application/json with an
  // empty body must not turn a DELETE into a 400 the spec does not describe).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (request.method === 'GET' || request.method === 'DELETE' || body === '') return done(null, undefined);
    void parseJson(request, body as string, done);
  });
  const deps: ConnectDeps = { ...options.deps, log: app.log };
  const rateLimits: RateLimits = { sessionsPerMinute: 600, browserPerMinute: 120, failedAuthPerMinute: 20, ...options.rateLimits };

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(problems);
  await app.register(helmet, {
    // API answers need no CSP beyond "nothing"; pages set their own (nonce) and Swagger UI its own.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // The popup's result page must keep window.opener to post its message back.
    crossOriginOpenerPolicy: false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(auth, { deps, failedPerMinute: rateLimits.failedAuthPerMinute });
  const metrics = options.metrics ?? createGatewayMetrics();
  metrics.watchOutbox(() => deps.store.outboxBacklog(), deps.now);

  await app.register(docsRoutes, { deps });
  await app.register(healthRoutes, { deps });
  await app.register(connectSessionRoutes, { deps, rateLimits });
  await app.register(connectRoutes, { deps, rateLimits, metrics });
  await app.register(connectionRoutes, { deps });
  await app.register(meRoutes, { deps, prefix: '/v1/me' });
  await app.register(metricsRoutes, { metrics });
  if (config.demo) await app.register(demoRoutes, { deps });

  if (options.housekeeping) {
    const stop = startHousekeeping(deps);
    app.addHook('onClose', async () => stop());
  }
  startBackgroundJobs(app, deps, metrics, options);
  return app;
}

/** The health sync and the webhook dispatcher, stopped (their work in flight finished) when the app closes. */
function startBackgroundJobs(app: FastifyInstance, deps: ConnectDeps, metrics: GatewayMetrics, options: AppOptions): void {
  const { config } = deps;
  if (options.healthSync && config.healthSyncIntervalS > 0) {
    const sync = startHealthSync(deps, {
      intervalMs: config.healthSyncIntervalS * 1000,
      onRun: (result, finishedAt) => metrics.healthSyncRun(result.outcome, finishedAt),
      ...(typeof options.healthSync === 'object' ? options.healthSync : {}),
    });
    app.addHook('onClose', async () => sync.stop());
  }
  if (options.webhooks && config.webhook) {
    const { timeoutMs = 10_000, fetch, ...settings } = typeof options.webhooks === 'object' ? options.webhooks : {};
    const dispatcher = startOutboxDispatcher(
      {
        store: deps.store,
        now: deps.now,
        log: deps.log,
        deliver: webhookDeliverer(config.webhook, { timeoutMs, fetch }),
        onAttempt: metrics.webhookAttempt,
      },
      settings,
    );
    app.addHook('onClose', async () => dispatcher.stop());
  }
}
