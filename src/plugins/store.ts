// The store as a plugin: opened from DATABASE_URL (and closed with the app), or the one a test gives (which the
// test closes itself).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

export interface StorePluginOptions {
  config: Config;
  /** A store opened elsewhere (tests): used as it is, and left open when the app closes. */
  store?: Store;
}

export default fp(
  async (app: FastifyInstance, { config, store: given }: StorePluginOptions) => {
    const store = given ?? (await openStore(config.databaseUrl, { poolSize: config.databasePoolSize, events: config.webhook !== null }));
    app.decorate('store', store);
    // Hooks run last-registered first: the jobs (registered after the store) have stopped by now.
    if (!given) app.addHook('onClose', async () => store.close());
  },
  { name: 'store' },
);
