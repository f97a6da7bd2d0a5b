// The gateway as a process runs it: buildApp with every background job on (the configuration's warnings logged
// first), listening on HOST:PORT. server.ts and the bench's gateway entry both start it this way.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { Config } from './config.js';
import { limitHeapGrowth } from './heap-growth.js';

export async function startGateway(config: Config, options: Omit<AppOptions, 'deps'> = {}): Promise<FastifyInstance> {
  limitHeapGrowth();
  const app = await buildApp({ deps: { config }, housekeeping: true, healthSync: true, webhooks: true, ...options });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw listenProblem(error, config);
  }
  return app;
}

/** Why the gateway cannot listen, as the one line an operator acts on (naming PORT and HOST), when it is theirs. */
function listenProblem(error: unknown, config: Config): unknown {
  const where = `PORT=${config.port} on HOST=${config.host}`;
  switch ((error as { code?: string }).code) {
    case 'EADDRINUSE':
      return new Error(`Cannot listen: ${where} is already in use by another process. Stop it, or set PORT to a free port.`, { cause: error });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new Error(`Cannot listen: HOST=${config.host} is not an address of this machine. Set HOST to one (0.0.0.0 for all).`, { cause: error });
    default:
      return error;
  }
}
