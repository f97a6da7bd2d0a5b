// Tag `connect-sessions`: the app's backend creates one connect session per end user.
import type { FastifyPluginAsync } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { zCreateConnectSessionBody, zCreateConnectSessionResponse } from '../../generated/gateway/zod.gen.js';
import { createConnectSession } from '../connect/sessions.js';
import { browserRateLimit, type RateLimits } from './rate-limits.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const connectSessionRoutes: FastifyPluginAsync<RouteOptions & { rateLimits: RateLimits }> = async (app, { deps, rateLimits }) => {
  const handlers: Pick<RouteHandlers, 'createConnectSession'> = {
    async createConnectSession(request, reply) {
      return reply.code(201).send(await createConnectSession(deps, request.body));
    },
  };

  app.post<OperationTypes<'createConnectSession'>>(
    '/v1/connect-sessions',
    {
      schema: { body: zCreateConnectSessionBody, response: { 201: zCreateConnectSessionResponse } },
      preHandler: app.requireApiKey,
      config: { rateLimit: browserRateLimit(rateLimits.sessionsPerMinute) },
    },
    handlers.createConnectSession,
  );
};
