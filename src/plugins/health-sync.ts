// The health sync (health/scheduler.ts) as a plugin: every HEALTH_SYNC_INTERVAL_S (0 turns it off) from when
// the app is ready; closing the app stops the timer, waits for a run in progress and hands the lease back.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { startHealthSync, type HealthSync, type HealthSyncOptions } from '../health/scheduler.js';

export interface HealthSyncPluginOptions {
  /** Off in most tests; an object overrides the scheduler's settings. */
  enabled?: boolean | Partial<HealthSyncOptions>;
}

export default fp(
  async (app: FastifyInstance, { enabled = false }: HealthSyncPluginOptions) => {
    const { config } = app.connectDeps;
    if (!enabled || config.healthSyncIntervalS === 0) return;
    let sync: HealthSync | undefined;
    app.addHook('onReady', async () => {
      sync = startHealthSync(app.connectDeps, {
        intervalMs: config.healthSyncIntervalS * 1000,
        onRun: (result, finishedAt) => app.metrics.healthSyncRun(result.outcome, finishedAt),
        ...(typeof enabled === 'object' ? enabled : {}),
      });
    });
    app.addHook('onClose', async () => sync?.stop());
  },
  { name: 'health-sync', dependencies: ['connect-deps', 'metrics'] },
);
