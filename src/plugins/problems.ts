// Every failure outside the browser flow's own routes becomes RFC 9457 problem+json with a code from
// gateway.yaml, through the one mapping (connect/problems.ts toProblem): the flow's named problems, validation
// failures (invalid_request, naming the fields), unknown routes (not_found), rate limits, and anything
// unexpected (internal_error, with nothing internal in the body). The browser flow's routes answer their own
// failures as the flow does (routes/connect.ts gives them their own error handler).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import { GatewayProblem, problemBody, toProblem, type Problem, type ProblemCode } from '../connect/problems.js';

/** How long a client is asked to wait when the gateway sheds load (plugins/load-shedding.ts). */
export const overloadedRetryAfterS = 10;

/** The headers a problem's code always comes with. */
export function applyProblemHeaders(reply: FastifyReply, code: ProblemCode): void {
  if (code === 'rate_limited') reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
  if (code === 'overloaded') reply.header('retry-after', reply.getHeader('retry-after') ?? String(overloadedRetryAfterS));
  if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="zoom-connect-gateway"');
}

export function sendProblem(reply: FastifyReply, problem: GatewayProblem): FastifyReply {
  const body = problemBody(problem.code, problem.detail, problem.errors ? { errors: problem.errors } : {});
  applyProblemHeaders(reply, problem.code);
  return reply.code(body.status).type('application/problem+json').send(body);
}

// Fastify names the query string's context `querystring`; gateway.yaml's `errors[].path` says `query`.
const specContext = (context: string) => (context === 'querystring' ? 'query' : context);

// zod says "Invalid input: expected string, received undefined" of a field that is simply not there.
const isMissing = (issue: FastifySchemaValidationError) => issue.keyword === 'invalid_type' && /received undefined$/.test(issue.message ?? '');

/**
 * Fastify's `schemaErrorFormatter`: a failed validation becomes invalid_request where it happens, naming each
 * field the way gateway.yaml's `errors[].path` does (`body.end_user_id`, `query.limit`).
 */
export function validationProblem(issues: FastifySchemaValidationError[], dataVar: string): GatewayProblem {
  const context = specContext(dataVar);
  const errors: NonNullable<Problem['errors']> = issues.map((issue) => ({
    path: [
      context,
      ...String(issue.instancePath ?? '')
        .split('/')
        .filter(Boolean),
    ].join('.'),
    message: isMissing(issue) ? 'is required' : (issue.message ?? 'is invalid'),
  }));
  return new GatewayProblem('invalid_request', `The request is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/**
 * Errors Fastify's router raises before any route or hook runs (broken percent-encoding, an over-long path
 * segment): Fastify's option `frameworkErrors`, so they too are problems rather than Fastify's own JSON.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new GatewayProblem('invalid_request', 'The URL is not valid: broken percent-encoding, or a path segment too long.')
      : new GatewayProblem('internal_error', 'Something went wrong on our side; try again.');
  void sendProblem(reply, problem);
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

/**
 * Requests Node's HTTP server refuses before Fastify routes them: a malformed request (raw bytes in the request
 * line, a malformed header, a non-numeric Content-Length) is invalid_request; one whose headers and body did not
 * arrive within the request timeout (a slow client holding a socket) is request_timeout. Answered on the socket
 * with the same problem+json, then the connection is closed.
 */
export function answerMalformedRequest(error: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? problemBody('request_timeout', 'The request took too long to arrive; send it again.')
      : problemBody('invalid_request', 'The HTTP request is malformed.');
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
