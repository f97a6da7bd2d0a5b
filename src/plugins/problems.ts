// One place turns every failure into RFC 9457 problem+json with a code from gateway.yaml: the flow's
// named problems, validation failures (invalid_request, naming the fields), unknown routes (not_found),
// rate limits, and anything unexpected (internal_error, with nothing internal in the body).
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { GatewayProblem, problemBody, type Problem } from '../connect/problems.js';

export function sendProblem(reply: FastifyReply, problem: GatewayProblem): FastifyReply {
  const body = problemBody(problem.code, problem.detail, problem.errors ? { errors: problem.errors } : {});
  if (problem.code === 'rate_limited') reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
  if (problem.code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="zoom-connect-gateway"');
  return reply.code(body.status).type('application/problem+json').send(body);
}

function validationProblem(error: FastifyError): GatewayProblem {
  const context = error.validationContext ?? 'body';
  const errors: NonNullable<Problem['errors']> = hasZodFastifySchemaValidationErrors(error)
    ? error.validation.map((issue) => ({
        path: [context, ...String(issue.instancePath ?? '').split('/').filter(Boolean)].join('.'),
        message: issue.message ?? 'is invalid',
      }))
    : [{ path: context, message: error.message }];
  return new GatewayProblem('invalid_request', `The request is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/** Maps anything thrown in a route to the problem it is answered with. */
export function toProblem(error: unknown): GatewayProblem {
  if (error instanceof GatewayProblem) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return validationProblem(fastifyError);
  if (fastifyError.statusCode === 429) return new GatewayProblem('rate_limited', 'Too many requests; retry after the time in Retry-After.');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, wrong content type, body too large...
    return new GatewayProblem('invalid_request', fastifyError.message);
  }
  return new GatewayProblem('internal_error', 'Something went wrong on our side; try again.');
}

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(async (error, request, reply) => {
      const problem = toProblem(error);
      if (problem.code === 'internal_error') request.log.error({ err: error }, 'unexpected error');
      return sendProblem(reply, problem);
    });
    app.setNotFoundHandler(async (request, reply) =>
      sendProblem(reply, new GatewayProblem('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    );
  },
  { name: 'problems' },
);
