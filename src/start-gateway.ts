// The gateway as a process runs it: buildApp with every background job on, the configuration's warnings
// logged, listening on HOST:PORT. server.ts and the bench's gateway entry both start it this way.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { Config } from './config.js';

export async function startGateway(config: Config, options: Omit<AppOptions, 'deps'> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ deps: { config }, housekeeping: true, healthSync: true, webhooks: true, ...options });
  for (const warning of config.warnings) app.log.warn(warning);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
