// Two bearers, never mixed: gateway API keys (server to server, several for rotation) and connect-session
// tokens (valid on /v1/me/* only). Keys are compared in constant time, against every key every time. Failed
// attempts are limited per client (failed-authentications.ts), and every answer of an authenticated route is
// `Cache-Control: no-store`: it carries a token or a connection, which no browser or proxy cache may keep.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import type { ConnectDeps } from '../connect/deps.js';
import { GatewayProblem } from '../connect/problems.js';
import { sameDigest, secretDigest } from '../connect/secrets.js';
import { authenticateSession } from '../connect/sessions.js';
import type { ConnectSessionRecord } from '../store/store.js';
import { clientOf, FailedAuthentications } from './failed-authentications.js';

declare module 'fastify' {
  interface FastifyInstance {
    requireApiKey(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
    requireSession(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    connectSession?: ConnectSessionRecord;
  }
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer +([^\s]+)\s*$/i.exec(header);
  if (!match) throw new GatewayProblem('unauthorized', 'Send Authorization: Bearer <token>.');
  return match[1]!;
}

/**
 * Whether a candidate is one of `keys`. The keys are hashed once, here; a request hashes its candidate alone, and
 * compares it with every key's digest: no early exit, so the time taken does not tell which key (or whether any)
 * matched.
 */
export function apiKeyMatcher(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map(secretDigest);
  return (candidate) => {
    const digest = secretDigest(candidate);
    let matched = false;
    for (const key of digests) matched = sameDigest(digest, key) || matched;
    return matched;
  };
}

export interface AuthOptions {
  deps: ConnectDeps;
  /** Failed authentications a client may make in a minute, over all authenticated routes. */
  failedPerMinute: number;
}

export default fp<AuthOptions>(
  async (app: FastifyInstance, { deps, failedPerMinute }) => {
    const failures = new FailedAuthentications(failedPerMinute, () => deps.now().getTime());
    const isApiKey = apiKeyMatcher(deps.config.apiKeys);

    /**
     * What a refused authentication answers. A right bearer always passes: refusing it while its address is
     * limited would let anyone who shares the address (a NAT, a proxy not named in TRUST_PROXY, a spoofed
     * X-Forwarded-For under TRUST_PROXY=true) lock the app's backend out. Failures are counted, and past the
     * limit they are answered 429 instead of 401, so a flood of guesses is throttled and visible as such.
     */
    const refusal = (request: FastifyRequest, reply: FastifyReply, error: unknown): Error => {
      // Anything else thrown fails the request as it is (never a falsy value, which would let it through).
      if (!(error instanceof GatewayProblem && error.code === 'unauthorized')) return error instanceof Error ? error : new Error(String(error));
      const client = clientOf(request.ip);
      const waitS = failures.retryAfterS(client);
      failures.record(client);
      if (waitS === 0) return error;
      reply.header('retry-after', String(waitS));
      return new GatewayProblem('rate_limited', `Too many failed authentications from this address; retry after ${waitS} seconds.`);
    };

    // Synchronous, as a callback hook: an API key is checked without a store read, on the busiest routes.
    app.decorate('requireApiKey', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      reply.header('cache-control', 'no-store');
      try {
        if (!isApiKey(bearer(request))) throw new GatewayProblem('unauthorized', 'The API key is not valid.');
      } catch (error) {
        done(refusal(request, reply, error));
        return;
      }
      done();
    });
    app.decorate('requireSession', async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header('cache-control', 'no-store');
      try {
        request.connectSession = await authenticateSession(deps, bearer(request));
      } catch (error) {
        throw refusal(request, reply, error);
      }
    });
  },
  { name: 'auth' },
);
