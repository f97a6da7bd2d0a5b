// Requests parsed and validated by gateway.yaml's generated zod schemas; answers serialized from the same schemas
// by fast-json-stringify (response-serializer.ts).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { serializerCompiler } from './response-serializer.js';

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
