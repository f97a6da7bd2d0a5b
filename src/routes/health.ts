// Tag `health`: liveness (the process answers) and readiness (the store answers and the config loaded).
import type { FastifyPluginAsync } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const handlers: Pick<RouteHandlers, 'getHealthz' | 'getReadyz'> = {
    async getHealthz(_request, reply) {
      return reply.code(200).send({ status: 'ok' });
    },
    async getReadyz(request, reply) {
      const store = await deps.store.ping().then(
        () => 'ok' as const,
        (error: unknown) => {
          request.log.warn({ err: error }, 'store not reachable');
          return 'failing' as const;
        },
      );
      const ready = store === 'ok';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { store, config: 'ok' } });
    },
  };
  app.get<OperationTypes<'getHealthz'>>('/healthz', handlers.getHealthz);
  app.get<OperationTypes<'getReadyz'>>('/readyz', handlers.getReadyz);
};
