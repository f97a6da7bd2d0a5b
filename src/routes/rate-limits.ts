// Rate limits of the routes that create state (sessions) or that anyone on the internet can hit (launch,
// callback), and of failed authentications on every authenticated route (plugins/auth.ts). Per client IP, in
// this process's memory: several instances each count on their own.
import type {} from '@fastify/rate-limit';
import { GatewayProblem } from '../connect/problems.js';

export interface RateLimits {
  sessionsPerMinute: number;
  browserPerMinute: number;
  /** Failed authentications (wrong or missing API key or session token), over all authenticated routes. */
  failedAuthPerMinute: number;
}

export const browserRateLimit = (max: number) => ({
  max,
  timeWindow: 60_000,
  errorResponseBuilder: () => new GatewayProblem('rate_limited', 'Too many requests; retry after the time in Retry-After.'),
});
