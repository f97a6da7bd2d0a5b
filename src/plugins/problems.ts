// One place turns every failure into RFC 9457 problem+json with a code from gateway.yaml: the flow's
// named problems, validation failures (invalid_request, naming the fields), unknown routes (not_found),
// rate limits, and anything unexpected (internal_error, with nothing internal in the body). Failures of the
// browser flow's routes that happen before their handler (a rate limit, a malformed query) are answered
// the way the flow answers: a page for a browser, with the flow pages' no-store and no-referrer headers.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { FlowProblem } from '../connect/flow-problem.js';
import { GatewayProblem, problemBody, storeUnavailable, type Problem } from '../connect/problems.js';
import { StoreUnavailableError } from '../store/store.js';
import { answerFlow } from '../pages/flow-answer.js';
import { applyFlowHeaders } from '../pages/page-headers.js';

export interface ProblemsOptions {
  /** Route URLs of the browser flow (launch, callback): their failures are answered as flow pages. */
  flowRoutes?: readonly string[];
}

function applyProblemHeaders(reply: FastifyReply, problem: GatewayProblem): void {
  if (problem.code === 'rate_limited') reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
  if (problem.code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="zoom-connect-gateway"');
}

export function sendProblem(reply: FastifyReply, problem: GatewayProblem): FastifyReply {
  const body = problemBody(problem.code, problem.detail, problem.errors ? { errors: problem.errors } : {});
  applyProblemHeaders(reply, problem);
  return reply.code(body.status).type('application/problem+json').send(body);
}

// The same choice as pages/flow-answer.ts makes: JSON only for a client that asks for it and not for HTML.
const prefersJson = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/.test(accept) && !/text\/html/.test(accept);
};

function sendFlowProblem(request: FastifyRequest, reply: FastifyReply, problem: GatewayProblem): FastifyReply {
  applyProblemHeaders(reply, problem);
  if (problem.errors && prefersJson(request)) {
    // answerFlow's problem+json has no `errors`; an invalid_request names its fields.
    applyFlowHeaders(reply);
    return sendProblem(reply, problem);
  }
  return answerFlow(request, reply, undefined, { ok: false, problem: new FlowProblem(problem.code, problem.detail) });
}

// Fastify names the query string's context `querystring`; gateway.yaml's `errors[].path` says `query`.
const specContext = (context: string | undefined) => (context === 'querystring' ? 'query' : (context ?? 'body'));

function validationProblem(error: FastifyError): GatewayProblem {
  const context = specContext(error.validationContext);
  const errors: NonNullable<Problem['errors']> = hasZodFastifySchemaValidationErrors(error)
    ? error.validation.map((issue) => ({
        path: [
          context,
          ...String(issue.instancePath ?? '')
            .split('/')
            .filter(Boolean),
        ].join('.'),
        message: issue.message ?? 'is invalid',
      }))
    : [{ path: context, message: error.message }];
  return new GatewayProblem('invalid_request', `The request is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/** Maps anything thrown in a route to the problem it is answered with. */
export function toProblem(error: unknown): GatewayProblem {
  if (error instanceof GatewayProblem) return error;
  if (error instanceof StoreUnavailableError) return storeUnavailable();
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return validationProblem(fastifyError);
  if (fastifyError.statusCode === 429) return new GatewayProblem('rate_limited', 'Too many requests; retry after the time in Retry-After.');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, wrong content type, body too large...
    return new GatewayProblem('invalid_request', fastifyError.message);
  }
  return new GatewayProblem('internal_error', 'Something went wrong on our side; try again.');
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

export default fp<ProblemsOptions>(
  async (app: FastifyInstance, { flowRoutes = [] }) => {
    app.setErrorHandler(async (error, request, reply) => {
      const problem = toProblem(error);
      if (problem.code === 'internal_error') request.log.error({ err: error }, 'unexpected error');
      if (flowRoutes.includes(request.routeOptions.url ?? '')) return sendFlowProblem(request, reply, problem);
      return sendProblem(reply, problem);
    });
    app.setNotFoundHandler(async (request, reply) =>
      sendProblem(reply, new GatewayProblem('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    );
  },
  { name: 'problems' },
);

/**
 * Requests Node's HTTP parser refuses (raw bytes in the request line, a malformed header, a non-numeric
 * Content-Length) never reach Fastify's routing: answer them on the socket with the same problem+json.
 */
export function answerMalformedRequest(error: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(problemBody('invalid_request', 'The HTTP request is malformed.'));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
