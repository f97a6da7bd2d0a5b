// Tag `connections`: the app's backend reads, disconnects and refreshes its end users' connections.
import type { FastifyPluginAsync } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import {
  zConnection,
  zConnectionPage,
  zDeleteConnectionPath,
  zGetConnectionPath,
  zListConnectionsQuery,
  zRefreshConnectionPath,
  zRefreshConnectionQuery,
} from '../../generated/gateway/zod.gen.js';
import { disconnect, findConnection, listConnections, refreshConnection, toApiConnection } from '../connect/connections.js';
import { coerceQuery } from './query-coercion.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const connectionRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const handlers: Pick<RouteHandlers, 'listConnections' | 'getConnection' | 'deleteConnection' | 'refreshConnection'> = {
    async listConnections(request, reply) {
      return reply.code(200).send(await listConnections(deps, request.query ?? {}));
    },
    async getConnection(request, reply) {
      return reply.code(200).send(toApiConnection(await findConnection(deps, request.params.id)));
    },
    async deleteConnection(request, reply) {
      await disconnect(deps, await findConnection(deps, request.params.id));
      return reply.code(204).send();
    },
    async refreshConnection(request, reply) {
      const record = await findConnection(deps, request.params.id);
      const refreshed = await refreshConnection(deps, record, request.query?.validate ?? false);
      return reply.code(200).send(toApiConnection(refreshed));
    },
  };

  // Authenticate first (onRequest): an anonymous caller learns nothing from validation, and no body is parsed for it.
  const auth = { onRequest: app.requireApiKey };
  app.get<OperationTypes<'listConnections'>>(
    '/v1/connections',
    { ...auth, schema: { querystring: coerceQuery(zListConnectionsQuery, { limit: 'integer' }), response: { 200: zConnectionPage } } },
    handlers.listConnections,
  );
  app.get<OperationTypes<'getConnection'>>(
    '/v1/connections/:id',
    { ...auth, schema: { params: zGetConnectionPath, response: { 200: zConnection } } },
    handlers.getConnection,
  );
  app.delete<OperationTypes<'deleteConnection'>>(
    '/v1/connections/:id',
    { ...auth, schema: { params: zDeleteConnectionPath } },
    handlers.deleteConnection,
  );
  app.post<OperationTypes<'refreshConnection'>>(
    '/v1/connections/:id/refresh',
    {
      ...auth,
      schema: {
        params: zRefreshConnectionPath,
        querystring: coerceQuery(zRefreshConnectionQuery, { validate: 'boolean' }),
        response: { 200: zConnection },
      },
    },
    handlers.refreshConnection,
  );
};
