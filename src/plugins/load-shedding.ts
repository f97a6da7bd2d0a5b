// Load shedding with @fastify/under-pressure: while the event loop lags (a saturated process answers everything
// late, so answering less is answering sooner), every operation but the probes and the metrics is answered
// 503 overloaded with Retry-After, and /readyz says not ready so a load balancer sends traffic elsewhere.
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { gatewayOperations } from '../../generated/gateway/operations.gen.js';
import { GatewayProblem } from '../connect/problems.js';
import { overloadedRetryAfterS } from './problems.js';

export type LoadSheddingOptions = Pick<FastifyUnderPressureOptions, 'maxEventLoopDelay' | 'healthCheck' | 'healthCheckInterval' | 'sampleInterval'>;

export const defaultLoadShedding: LoadSheddingOptions = {
  // A second behind: far past anything a healthy gateway shows, even on a busy small machine.
  maxEventLoopDelay: 1000,
};

// Probes must answer while overloaded (that is how the load balancer learns it), and so must the metrics.
const alwaysAnswered = new Set<string>([gatewayOperations.getHealthz.path, gatewayOperations.getReadyz.path, gatewayOperations.getMetrics.path]);

export default fp(
  async (app: FastifyInstance, options: Partial<LoadSheddingOptions>) => {
    await app.register(underPressure, {
      ...defaultLoadShedding,
      ...options,
      retryAfter: overloadedRetryAfterS,
      // Nothing returned lets the request through; a rejection goes to the error handler of the route, which
      // answers it as that route answers any problem (problem+json, or the flow's page).
      pressureHandler: (request: FastifyRequest) => {
        if (alwaysAnswered.has(request.routeOptions.url ?? '')) return undefined;
        return Promise.reject(
          new GatewayProblem('overloaded', 'The gateway is overloaded right now; nothing was done. Retry after the time in Retry-After.'),
        );
      },
    });
  },
  { name: 'load-shedding' },
);
