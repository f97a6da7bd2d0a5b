// Requests parsed and validated by gateway.yaml's generated zod schemas; answers serialized from the same schemas
// by fast-json-stringify (response-serializer.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { gatewayOperations } from '../../generated/gateway/operations.gen.js';
import { GatewayProblem } from '../connect/problems.js';
import { serializerCompiler } from './response-serializer.js';

// The media types each route's body may have, from gateway.yaml (Fastify names path parameters `:id`).
const bodyTypesByRoute = new Map<string, readonly string[]>(
  Object.values(gatewayOperations).map(({ method, path, bodyTypes }) => [`${method} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, bodyTypes]),
);

/**
 * A body in a media type the route does not read: invalid_request saying which one to send (Fastify's own
 * answer, "Unsupported Media Type", said neither). Routes outside gateway.yaml (demo mode's) read JSON.
 */
export function unreadableBody(request: FastifyRequest): GatewayProblem {
  const types = bodyTypesByRoute.get(`${request.method} ${request.routeOptions.url}`) ?? ['application/json'];
  if (types.length === 0) return new GatewayProblem('invalid_request', 'This operation takes no request body: send none.');
  return new GatewayProblem('invalid_request', `Send the request body as ${types.join(' or ')}, with Content-Type: ${types[0]}.`);
}

export default fp(
  async (app: FastifyInstance) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    // No operation takes a body on GET or DELETE: ignore one (a stray Content-Type: application/json with an
    // empty body must not turn a DELETE into a 400 the spec does not describe).
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (request.method === 'GET' || request.method === 'DELETE' || body === '') return done(null, undefined);
      void parseJson(request, body as string, done);
    });
    // No operation reads text/plain (Fastify would hand the text on, to fail validation as "expected object").
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser('*', (request, _payload, done) => done(unreadableBody(request), undefined));
  },
  { name: 'contract-parsing' },
);
