// Requests parsed and validated, and answers serialized, by gateway.yaml's generated zod schemas.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

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
  },
  { name: 'contract-parsing' },
);
