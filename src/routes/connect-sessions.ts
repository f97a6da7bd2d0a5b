// Tag `connect-sessions`: the app's backend creates one connect session per end user.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { zCreateConnectSessionBody, zCreateConnectSessionResponse } from '../../generated/gateway/zod.gen.js';
import { createConnectSession } from '../connect/sessions.js';
import { browserRateLimit, type RateLimits } from './rate-limits.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

// The generated schema, with two changes the contract asks for:
// - return_to is any string here: checkReturnTo (connect/return-to.ts) judges it with the browser's URL parser,
//   so every refused return_to is `return_to_not_allowed`, never a generic format error (zod's url() also
//   trims and accepts what checkReturnTo must refuse, e.g. a leading space);
// - unknown fields are refused, as gateway.yaml says (additionalProperties: false), instead of being dropped.
const connectSessionBody = zCreateConnectSessionBody.extend({ return_to: z.string().optional() }).strict();

export const connectSessionRoutes: FastifyPluginAsync<RouteOptions & { rateLimits: RateLimits }> = async (app, { deps, rateLimits }) => {
  const handlers: Pick<RouteHandlers, 'createConnectSession'> = {
    async createConnectSession(request, reply) {
      return reply.code(201).send(await createConnectSession(deps, request.body));
    },
  };

  app.post<OperationTypes<'createConnectSession'>>(
    '/v1/connect-sessions',
    {
      schema: { body: connectSessionBody, response: { 201: zCreateConnectSessionResponse } },
      // Before validation, so a caller without a key learns nothing about what a valid body looks like; after
      // the rate limit (an onRequest hook), so guessing keys is rate limited too.
      preValidation: app.requireApiKey,
      config: { rateLimit: browserRateLimit(rateLimits.sessionsPerMinute) },
    },
    handlers.createConnectSession,
  );
};
