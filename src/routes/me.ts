// Tag `me`: the end user's frontend, with the connect session token. CORS answers here, and only here, for
// exactly ALLOWED_RETURN_ORIGINS: the Authorization header is allowed, cookies are not. Registered under
// the /v1/me prefix, so the CORS preflight route exists for /v1/me/* only.
import cors from '@fastify/cors';
import type { FastifyPluginAsync } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { zConnection, zGetMySessionResponse } from '../../generated/gateway/zod.gen.js';
import { connectionOfEndUser, disconnect, findConnectionOfEndUser, toApiConnection } from '../connect/connections.js';
import { GatewayProblem } from '../connect/problems.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const meRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  await app.register(cors, {
    origin: deps.config.allowedReturnOrigins,
    methods: ['GET', 'DELETE'],
    allowedHeaders: ['Authorization'],
    credentials: false,
    maxAge: 600,
    // A "preflight" without Origin is no browser's: answer it plainly (204, no CORS headers) rather than with
    // @fastify/cors's own 400 text/plain, the one answer that would not be problem+json.
    strictPreflight: false,
  });

  const sessionOf = <T>(session: T | undefined): T => {
    if (!session) throw new GatewayProblem('unauthorized', 'Send Authorization: Bearer <session token>.');
    return session;
  };
  const endUserOf = (session: { endUserId: string } | undefined) => sessionOf(session).endUserId;

  const handlers: Pick<RouteHandlers, 'getMySession' | 'getMyConnection' | 'deleteMyConnection'> = {
    async getMySession(request, reply) {
      const session = sessionOf(request.connectSession);
      const record = await connectionOfEndUser(deps, session.endUserId);
      return reply
        .code(200)
        .send({ end_user_id: session.endUserId, expires_at: session.expiresAt, connection: record ? toApiConnection(record) : null });
    },
    async getMyConnection(request, reply) {
      const record = await findConnectionOfEndUser(deps, endUserOf(request.connectSession));
      return reply.code(200).send(toApiConnection(record));
    },
    async deleteMyConnection(request, reply) {
      await disconnect(deps, await findConnectionOfEndUser(deps, endUserOf(request.connectSession)));
      return reply.code(204).send();
    },
  };

  // Authenticate first (onRequest, after the CORS hook so a refused browser can still read the 401).
  const auth = { onRequest: app.requireSession };
  app.get<OperationTypes<'getMySession'>>('/session', { ...auth, schema: { response: { 200: zGetMySessionResponse } } }, handlers.getMySession);
  app.get<OperationTypes<'getMyConnection'>>('/connection', { ...auth, schema: { response: { 200: zConnection } } }, handlers.getMyConnection);
  app.delete<OperationTypes<'deleteMyConnection'>>('/connection', auth, handlers.deleteMyConnection);
};
