// Purging expired connect sessions and flows (connect/housekeeping.ts) as a plugin: started when the app is
// ready, stopped when it closes.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { startHousekeeping } from '../connect/housekeeping.js';

export interface HousekeepingOptions {
  /** Off in most tests; an object sets how often it purges (every minute otherwise). */
  enabled?: boolean | { everyMs: number };
}

export default fp(
  async (app: FastifyInstance, { enabled = false }: HousekeepingOptions) => {
    if (!enabled) return;
    let stop: (() => void) | undefined;
    app.addHook('onReady', async () => {
      stop = startHousekeeping(app.connectDeps, typeof enabled === 'object' ? enabled.everyMs : undefined);
    });
    app.addHook('onClose', async () => stop?.());
  },
  { name: 'housekeeping', dependencies: ['connect-deps'] },
);
