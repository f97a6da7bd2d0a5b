// Tag `health`: liveness (the process answers) and readiness (the store answers, the config loaded, and the
// gateway is not shedding load).
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
      // While the gateway sheds load (plugins/load-shedding.ts), it is not ready for more.
      const load = app.isUnderPressure() ? ('overloaded' as const) : ('ok' as const);
      const ready = store === 'ok' && load === 'ok';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { store, config: 'ok', load } });
    },
  };
  app.get<OperationTypes<'getHealthz'>>('/healthz', handlers.getHealthz);
  app.get<OperationTypes<'getReadyz'>>('/readyz', handlers.getReadyz);
};
