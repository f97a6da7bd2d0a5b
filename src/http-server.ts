// How the gateway's HTTP server behaves before any plugin or route: its logger, its limits (timeouts, body
// size) and the answers it gives to what never reaches a route. buildApp hands these to Fastify.
import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { loggerOptions } from './logger.js';
import { answerFrameworkError, answerMalformedRequest, validationProblem } from './plugins/problems.js';

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this (a slow client holds a socket): 408 after. */
  requestTimeoutMs: number;
  /** The headers must arrive within this. */
  headersTimeoutMs: number;
  /**
   * A socket with no activity for this long is closed. Longer than any answer can take (a Recall call's
   * retries), or a slow answer would be cut off.
   */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is kept this long: longer than a load balancer's idle timeout (often 60 s). */
  keepAliveTimeoutMs: number;
  /** The largest request body: every body of gateway.yaml is far smaller. 413 body_too_large over it. */
  bodyLimitBytes: number;
}

export const defaultHttpLimits: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 15_000,
  connectionTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
  bodyLimitBytes: 16 * 1024,
};

export function httpServerOptions(
  config: Config,
  options: { logStream?: DestinationStream; limits?: Partial<HttpLimits> } = {},
): FastifyHttpOptions<Server> {
  const limits = { ...defaultHttpLimits, ...options.limits };
  return {
    logger: loggerOptions(config.logLevel, options.logStream),
    // Routes are exactly gateway.yaml's operations: no implicit HEAD twins.
    exposeHeadRoutes: false,
    trustProxy: config.trustProxy,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    bodyLimit: limits.bodyLimitBytes,
    http: {
      // Node refuses a headers timeout longer than the request timeout.
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      // How often Node looks for requests past those timeouts (30 s by default, which would double them).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    frameworkErrors: answerFrameworkError,
    schemaErrorFormatter: validationProblem,
    clientErrorHandler: answerMalformedRequest,
  };
}
