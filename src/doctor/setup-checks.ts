// What the doctor checks without Recall: the address users reach the gateway at (PUBLIC_URL), the callback URL
// Zoom sends users back to, the PKCE setting, and the database (reachable, and which migrations it lacks; never
// migrated from here).
import type { Config } from '../config.js';
import { inspectDatabase } from '../store/inspect.js';
import type { Check } from './checklist.js';

const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]';

/**
 * PUBLIC_URL: the origin users' browsers reach (a path is refused with the configuration, config.ts: the routes
 * are served at the root of the host), over https, so the binding cookie is Secure and __Host-.
 */
export function publicUrlCheck(config: Config): Check {
  const name = 'PUBLIC_URL';
  const url = new URL(config.publicUrl);
  if (url.pathname !== '/') {
    return {
      name,
      status: 'fail',
      detail: `${config.publicUrl} has a path: the gateway serves its routes at the root`,
      fix: 'give the gateway a host of its own',
    };
  }
  if (isLoopback(url.hostname)) {
    return {
      name,
      status: 'fail',
      detail: `${config.publicUrl} is on ${url.hostname}: connect_url would send users' browsers to their own machine`,
      fix: 'set PUBLIC_URL to the https address users reach (behind a proxy or a tunnel: its public address)',
    };
  }
  if (url.protocol !== 'https:') {
    return {
      name,
      status: 'fail',
      detail: `${config.publicUrl} is not https: the binding cookie would be neither Secure nor __Host-`,
      fix: 'serve the gateway over https (a reverse proxy terminating TLS) and set PUBLIC_URL to that https address',
    };
  }
  return {
    name,
    status: 'ok',
    detail: `${config.publicUrl}: https, an origin (the routes at its root); connect_url is ${config.publicUrl}/v1/connect/zoom?launch=...`,
  };
}

export function redirectChecks(config: Config): Check[] {
  const name = 'ZOOM_REDIRECT_URI';
  const uri = config.zoom.redirectUri;
  const url = new URL(uri);
  const publicOrigin = new URL(config.publicUrl).origin;
  const checks: Check[] = [];
  if (url.protocol !== 'https:') {
    checks.push({
      name,
      status: 'fail',
      detail: `${uri} is not https`,
      fix: 'register and configure an https URL (the binding cookie is Secure only over https)',
    });
  }
  if (isLoopback(url.hostname)) {
    checks.push({
      name,
      status: 'fail',
      detail: `${uri} is on ${url.hostname}: Recall's firewall answers 403 to a create that carries it`,
      fix: 'use the public URL users reach (a tunnel such as ngrok in development), registered in the Zoom app',
    });
  }
  if (url.origin !== publicOrigin) {
    checks.push({
      name,
      status: 'fail',
      detail: `${uri} is not on PUBLIC_URL's origin (${publicOrigin}): the browser would not send the binding cookie back (state_cookie_missing)`,
      fix: `use ${publicOrigin}${config.zoom.callbackPath}, or set PUBLIC_URL to ${url.origin}`,
    });
  }
  if (checks.length > 0) return checks;
  return [
    {
      name,
      status: 'ok',
      detail: `${uri}: https, public, on PUBLIC_URL's origin; the gateway serves its callback at ${config.zoom.callbackPath}. It must be byte for byte the redirect URL registered in the Zoom app`,
    },
  ];
}

export function pkceCheck(config: Config): Check {
  return config.zoom.pkce === 'S256'
    ? {
        name: 'ZOOM_PKCE',
        status: 'ok',
        detail:
          'S256: Zoom gets a code_challenge, Recall its verifier (if every callback fails as recall_invalid_grant with an exact ZOOM_REDIRECT_URI, try off)',
      }
    : { name: 'ZOOM_PKCE', status: 'ok', detail: 'off: no code_challenge to Zoom, no code_verifier to Recall (Recall holds the client secret)' };
}

export async function databaseCheck(config: Config): Promise<Check> {
  const name = 'Database';
  const where = describeDatabase(config.databaseUrl);
  const found = await inspectDatabase(config.databaseUrl);
  switch (found.state) {
    case 'unreachable':
      return { name, status: 'fail', detail: found.message, fix: 'check DATABASE_URL, and that the database server runs and accepts this user' };
    case 'missing':
      return {
        name,
        status: 'warn',
        detail: `${where} does not exist yet`,
        fix: `the gateway creates it at its first start and applies ${found.pending.length} migrations; check that the folder is on a persistent volume`,
      };
    case 'reachable':
      if (found.unknown.length > 0) {
        return {
          name,
          status: 'fail',
          detail: `${where} holds migrations this build does not know (${found.unknown.join(', ')}): a newer gateway migrated it`,
          fix: 'run the gateway version that migrated it, or a newer one',
        };
      }
      if (found.pending.length > 0) {
        return {
          name,
          status: 'warn',
          detail: `${where} is reachable; ${found.pending.length} migration(s) pending: ${found.pending.join(', ')}`,
          fix: 'the gateway applies them at its next start (the doctor changes nothing)',
        };
      }
      return { name, status: 'ok', detail: `${where} is reachable and migrated` };
  }
}

/** DATABASE_URL without its password. */
export function describeDatabase(databaseUrl: string): string {
  if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return 'DATABASE_URL';
  }
}
