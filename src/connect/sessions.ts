// Connect sessions: the app's backend asks for one per end user. It gets a bearer token for /v1/me/* and
// a connect_url carrying a *different*, single-use launch code, so no reusable secret sits in a URL the
// browser keeps in its history.
import type { ConnectSession, ConnectSessionCreate } from '../../generated/gateway/types.gen.js';
import type { ConnectSessionRecord } from '../store/store.js';
import { isoAfter, type ConnectDeps } from './deps.js';
import { checkIdentifier } from './identifiers.js';
import { GatewayProblem } from './problems.js';
import { checkReturnTo } from './return-to.js';
import { hashSecret, randomSecret, timeOrderedUuid } from './secrets.js';

export const launchPath = '/v1/connect/zoom';

export async function createConnectSession(deps: ConnectDeps, input: ConnectSessionCreate): Promise<ConnectSession> {
  const { config, store } = deps;
  checkIdentifier(input.end_user_id, 'body.end_user_id');
  const mode = input.mode ?? 'redirect';
  const returnTo = input.return_to === undefined ? null : checkReturnTo(input.return_to, config.allowedReturnOrigins);
  if (mode === 'popup' && returnTo === null) {
    // The popup posts its result to return_to's origin, and never to '*'.
    throw new GatewayProblem('invalid_request', 'popup mode needs return_to: its origin receives the result message', [
      { path: 'body.return_to', message: 'required when mode is popup' },
    ]);
  }
  const token = randomSecret();
  const launchCode = randomSecret();
  const now = deps.now();
  const session: ConnectSessionRecord = {
    id: timeOrderedUuid(),
    tokenHash: hashSecret(token),
    launchHash: hashSecret(launchCode),
    endUserId: input.end_user_id,
    returnTo,
    mode,
    createdAt: now.toISOString(),
    expiresAt: isoAfter(now, config.connectSessionTtlS),
    launchedAt: null,
  };
  await store.createConnectSession(session);
  return {
    token,
    expires_at: session.expiresAt,
    connect_url: `${config.publicUrl}${launchPath}?launch=${launchCode}`,
  };
}

/** The session a /v1/me/* bearer token belongs to, while it is valid (also after the launch). */
export async function authenticateSession(deps: ConnectDeps, token: string): Promise<ConnectSessionRecord> {
  const session = await deps.store.findSessionByToken(hashSecret(token));
  if (!session) throw new GatewayProblem('unauthorized', 'The session token is not valid.');
  if (session.expiresAt <= deps.now().toISOString()) {
    throw new GatewayProblem('unauthorized', 'The session token has expired; ask the app for a new connect session.');
  }
  return session;
}
