// The gateway's metrics as a plugin: made here (or given: server-side code that feeds them before the app is
// built), with the outbox gauges reading the store at each scrape.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics;
  }
}

export interface MetricsPluginOptions {
  metrics?: GatewayMetrics;
  now: () => Date;
}

export default fp(
  async (app: FastifyInstance, { metrics = createGatewayMetrics(), now }: MetricsPluginOptions) => {
    metrics.watchOutbox(() => app.store.outboxBacklog(), now);
    app.decorate('metrics', metrics);
  },
  { name: 'metrics', dependencies: ['store'] },
);
