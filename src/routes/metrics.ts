// Tag `metrics`: the gateway's metrics for Prometheus (text exposition format 0.0.4).
import type { FastifyPluginAsync } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { OperationTypes } from './route-deps.js';

export const metricsRoutes: FastifyPluginAsync<{ metrics: GatewayMetrics }> = async (app, { metrics }) => {
  const handlers: Pick<RouteHandlers, 'getMetrics'> = {
    async getMetrics(_request, reply) {
      const text = await metrics.registry.metrics();
      reply.type(metrics.registry.contentType).header('cache-control', 'no-store');
      return reply.code(200).send(text);
    },
  };
  app.get<OperationTypes<'getMetrics'>>('/metrics', handlers.getMetrics);
};
