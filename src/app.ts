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
import { launchPath } from './connect/sessions.js';
import { loggerOptions } from './logger.js';
import auth from './plugins/auth.js';
import problems, { answerFrameworkError } from './plugins/problems.js';
import { connectSessionRoutes } from './routes/connect-sessions.js';
import { connectRoutes } from './routes/connect.js';
import { connectionRoutes } from './routes/connections.js';
import { demoRoutes } from './routes/demo.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import type { RateLimits } from './routes/rate-limits.js';

export interface AppOptions {
  deps: Omit<ConnectDeps, 'log'>;
  rateLimits?: Partial<RateLimits>;
  /** Where logs go (tests capture them to prove no secret is written); stdout by default. */
  logStream?: DestinationStream;
  /** Purge expired sessions and flows in the background (off in most tests). */
  housekeeping?: boolean;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options.deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    // Routes are exactly gateway.yaml's operations: no implicit HEAD twins.
    exposeHeadRoutes: false,
    trustProxy: config.trustProxy,
    frameworkErrors: answerFrameworkError,
  });
  const deps: ConnectDeps = { ...options.deps, log: app.log };
  const rateLimits: RateLimits = { sessionsPerMinute: 600, browserPerMinute: 120, ...options.rateLimits };

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(problems, { flowRoutes: [launchPath, config.zoom.callbackPath] });
  await app.register(helmet, {
    // API answers need no CSP beyond "nothing"; pages set their own (nonce) and Swagger UI its own.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // The popup's result page must keep window.opener to post its message back.
    crossOriginOpenerPolicy: false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(auth, { deps });

  await app.register(docsRoutes, { deps });
  await app.register(healthRoutes, { deps });
  await app.register(connectSessionRoutes, { deps, rateLimits });
  await app.register(connectRoutes, { deps, rateLimits });
  await app.register(connectionRoutes, { deps });
  await app.register(meRoutes, { deps, prefix: '/v1/me' });
  if (config.demo) await app.register(demoRoutes, { deps });

  if (options.housekeeping) {
    const stop = startHousekeeping(deps);
    app.addHook('onClose', async () => stop());
  }
  return app;
}
