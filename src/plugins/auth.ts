// Two bearers, never mixed: gateway API keys (server to server, several for rotation) and connect-session
// tokens (valid on /v1/me/* only). Keys are compared in constant time, against every key every time.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ConnectDeps } from '../connect/deps.js';
import { GatewayProblem } from '../connect/problems.js';
import { constantTimeEqual } from '../connect/secrets.js';
import { authenticateSession } from '../connect/sessions.js';
import type { ConnectSessionRecord } from '../store/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    requireApiKey(request: FastifyRequest): Promise<void>;
    requireSession(request: FastifyRequest): Promise<void>;
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

export default fp<{ deps: ConnectDeps }>(
  async (app: FastifyInstance, { deps }) => {
    app.decorate('requireApiKey', async (request: FastifyRequest) => {
      if (!matchesAnyKey(bearer(request), deps.config.apiKeys)) {
        throw new GatewayProblem('unauthorized', 'The API key is not valid.');
      }
    });
    app.decorate('requireSession', async (request: FastifyRequest) => {
      request.connectSession = await authenticateSession(deps, bearer(request));
    });
  },
  { name: 'auth' },
);
