// What src/connect/ is given (ConnectDeps), gathered once from the plugins that made each part, for the
// routes and the jobs.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { ConnectDeps } from '../connect/deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    connectDeps: ConnectDeps;
  }
}

export interface ConnectDepsOptions {
  config: Config;
  now: () => Date;
}

export default fp(
  async (app: FastifyInstance, { config, now }: ConnectDepsOptions) => {
    app.decorate('connectDeps', { config, store: app.store, recall: app.recall, appKind: app.zoomAppKind, now, log: app.log });
  },
  { name: 'connect-deps', dependencies: ['store', 'recall'] },
);
