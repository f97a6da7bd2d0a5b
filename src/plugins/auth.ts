// Two bearers, never mixed: gateway API keys (server to server, several for rotation) and connect-session
// tokens (valid on /v1/me/* only). Keys are compared in constant time, against every key every time. Failed
// attempts are limited per client (failed-authentications.ts), and every answer of an authenticated route is
// `Cache-Control: no-store`: it carries a token or a connection, which no browser or proxy cache may keep.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ConnectDeps } from '../connect/deps.js';
import { GatewayProblem } from '../connect/problems.js';
import { constantTimeEqual } from '../connect/secrets.js';
import { authenticateSession } from '../connect/sessions.js';
import type { ConnectSessionRecord } from '../store/store.js';
import { clientOf, FailedAuthentications } from './failed-authentications.js';

declare module 'fastify' {
  interface FastifyInstance {
    requireApiKey(request: FastifyRequest, reply: FastifyReply): Promise<void>;
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

export function matchesAnyKey(candidate: string, keys: readonly string[]): boolean {
  // No early exit: the time taken does not tell which key (or whether any) matched.
  let matched = false;
  for (const key of keys) matched = constantTimeEqual(candidate, key) || matched;
  return matched;
}

export interface AuthOptions {
  deps: ConnectDeps;
  /** Failed authentications a client may make in a minute, over all authenticated routes. */
  failedPerMinute: number;
}

export default fp<AuthOptions>(
  async (app: FastifyInstance, { deps, failedPerMinute }) => {
    const failures = new FailedAuthentications(failedPerMinute, () => deps.now().getTime());

    /**
     * Runs one authentication for `request`. A right bearer always passes: refusing it while its address is
     * limited would let anyone who shares the address (a NAT, a proxy not named in TRUST_PROXY, a spoofed
     * X-Forwarded-For under TRUST_PROXY=true) lock the app's backend out. Failures are counted, and past the
     * limit they are answered 429 instead of 401, so a flood of guesses is throttled and visible as such.
     */
    const authenticate = async (request: FastifyRequest, reply: FastifyReply, check: () => Promise<void>) => {
      reply.header('cache-control', 'no-store');
      try {
        await check();
      } catch (error) {
        if (!(error instanceof GatewayProblem && error.code === 'unauthorized')) throw error;
        const client = clientOf(request.ip);
        const waitS = failures.retryAfterS(client);
        failures.record(client);
        if (waitS === 0) throw error;
        reply.header('retry-after', String(waitS));
        throw new GatewayProblem('rate_limited', `Too many failed authentications from this address; retry after ${waitS} seconds.`);
      }
    };

    app.decorate('requireApiKey', (request: FastifyRequest, reply: FastifyReply) =>
      authenticate(request, reply, async () => {
        if (!matchesAnyKey(bearer(request), deps.config.apiKeys)) throw new GatewayProblem('unauthorized', 'The API key is not valid.');
      }),
    );
    app.decorate('requireSession', (request: FastifyRequest, reply: FastifyReply) =>
      authenticate(request, reply, async () => {
        request.connectSession = await authenticateSession(deps, bearer(request));
      }),
    );
  },
  { name: 'auth' },
);
