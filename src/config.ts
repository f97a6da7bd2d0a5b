// Environment -> typed, validated Config, in one place. Every bad or missing variable is collected and
// reported together, so one failed start names everything that needs fixing.
import { isIP } from 'node:net';
import { gatewayOperations } from '../generated/gateway/operations.gen.js';

export const recallRegions = {
  'us-east-1': 'https://us-east-1.recall.ai',
  'us-west-2': 'https://us-west-2.recall.ai',
  'eu-central-1': 'https://eu-central-1.recall.ai',
  'ap-northeast-1': 'https://ap-northeast-1.recall.ai',
} as const;
export type RecallRegion = keyof typeof recallRegions;

/** The Zoom OAuth app id of the Recall mock's story (openapi/recall.yaml), used in demo mode. */
export const demoOauthAppId = '9a03bb66-31f6-4272-8074-38c7c675ecb0';
export const demoZoomClientId = 'slSJlqiDrYRufiuCxVlIuQ'; // the Prism story's app (recall.yaml)
export const defaultCallbackPath = '/v1/connect/zoom/callback';
export const demoZoomAuthorizePath = '/demo/zoom/authorize';

/**
 * The variables a production gateway needs. Setting any of them, even to an empty value, asks for production:
 * `RECALL_API_KEY=$(cat /run/secrets/missing)` next to the others must stop start-up, not start a demo with a
 * stand-in Zoom page and an unauthenticated route that mints connect sessions.
 */
export const productionVariables = ['RECALL_API_KEY', 'RECALL_ZOOM_OAUTH_APP_ID', 'ZOOM_CLIENT_ID', 'ZOOM_REDIRECT_URI', 'GATEWAY_API_KEYS'] as const;

/** Demo mode only when asked for by setting nothing: no production variable present, and NODE_ENV not production. */
export function isDemo(env: Env): boolean {
  return env.NODE_ENV?.trim().toLowerCase() !== 'production' && productionVariables.every((name) => env[name] === undefined);
}

/** Why a required variable is required, naming what made this a production start. */
function productionReason(env: Env): string {
  const set = productionVariables.filter((name) => env[name] !== undefined);
  if (set.length === 0) return 'with NODE_ENV=production, which never runs demo mode';
  return `outside demo mode (${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set; demo mode runs only when none of ${productionVariables.join(', ')} is)`;
}

// Paths the gateway serves itself, which the callback (the path of ZOOM_REDIRECT_URI) cannot take: every
// operation of gateway.yaml but the callback's own, a path template's parameter matching any one segment, and
// the demo page at `/`.
const reservedPaths = [
  /^\/$/,
  ...Object.entries(gatewayOperations)
    .filter(([operationId]) => operationId !== 'connectCallback')
    .map(([, { path }]) => new RegExp(`^${path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`)),
];

export interface Config {
  port: number;
  host: string;
  /** External base URL of the gateway, without a trailing slash. */
  publicUrl: string;
  databaseUrl: string;
  /** PostgreSQL: connections this instance keeps at most (DATABASE_POOL_SIZE); SQLite ignores it. */
  databasePoolSize: number;
  apiKeys: string[];
  recall: { region: RecallRegion; baseUrl: string; apiKey: string; oauthAppId: string; timeoutMs: number };
  zoom: {
    clientId: string;
    /** Exactly as configured: sent byte for byte to Zoom and to Recall, never re-serialized. */
    redirectUri: string;
    /** The path of redirectUri: where the callback route listens. */
    callbackPath: string;
    authorizeUrl: string;
    /** ZOOM_PKCE: S256 sends a code_challenge to Zoom and its verifier to Recall; off sends neither. */
    pkce: 'S256' | 'off';
  };
  allowedReturnOrigins: string[];
  connectSessionTtlS: number;
  flowTtlS: number;
  healthSyncIntervalS: number;
  /** Active checks (development Zoom apps): validate and re-read credentials not checked for `afterS`. */
  healthValidate: { afterS: number } | null;
  /** Retrieve and validate calls per minute the health sync may spend (Recall allows 300/min for each). */
  healthCallsPerMinute: number;
  webhook: { url: string; secret: string } | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** None of productionVariables set (isDemo): an in-process Recall mock, the stand-in Zoom page and a demo API key. */
  demo: boolean;
  /** PUBLIC_URL is https: cookies get Secure and the __Host- prefix. */
  secureCookies: boolean;
  /** Fastify's trustProxy: false, true, or a list of proxy addresses/CIDRs (TRUST_PROXY). */
  trustProxy: boolean | string[];
  /** Start-up warnings (not errors), for the logger. */
  warnings: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  required(name: string, why: string): string {
    const value = this.raw(name);
    if (value === undefined) this.problems.push(`${name} is required ${why}`);
    return value ?? '';
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  /** `secret`: the value may carry a token (a webhook URL): the problem names the variable only. */
  httpUrl(name: string, value: string | undefined, { secret = false } = {}): URL | undefined {
    if (value === undefined) return undefined;
    // The WHATWG parser also takes "https:host/x", "https:/host/x" and backslashes, and rewrites them; some of
    // these strings are sent as written (ZOOM_REDIRECT_URI, byte for byte, to Zoom and Recall), so only the
    // plain "scheme://host" form is accepted.
    try {
      const url = new URL(value);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\/[^/\\]/i.test(value) && !value.includes('\\')) return url;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be an absolute http(s) URL (${secret ? 'its value is not repeated: it may carry a token' : `got "${value}"`})`);
    return undefined;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  list(name: string): string[] | undefined {
    const value = this.raw(name);
    return value === undefined
      ? undefined
      : value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
  }
}

const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]';

function readOrigins(read: Reader, publicOrigin: string, demo: boolean): string[] {
  const listed = read.list('ALLOWED_RETURN_ORIGINS') ?? [publicOrigin];
  if (listed.length === 0) read.problems.push('ALLOWED_RETURN_ORIGINS is set but lists no origin');
  const origins = listed.flatMap((origin) => {
    const url = read.httpUrl('ALLOWED_RETURN_ORIGINS', origin);
    if (!url) return [];
    // An origin and nothing else (no user, path, query or fragment); case and a default port are normalized
    // to the origin a browser sends, which is what return_to and postMessage targets are compared with.
    if (url.href !== `${url.origin}/` || /[?#]/.test(origin)) {
      read.problems.push(`ALLOWED_RETURN_ORIGINS holds origins only (scheme://host[:port]), got "${origin}"`);
      return [];
    }
    return [url.origin];
  });
  // The demo page lives on the gateway's own origin and returns there: a list for a dev server
  // (http://localhost:5173) must not take the demo itself away.
  return demo && listed.length > 0 && !origins.includes(publicOrigin) ? [...origins, publicOrigin] : origins;
}

// Demo mode stands in for Recall and Zoom, so what it writes and sends must never reach a real deployment. A
// production whose secrets failed to mount has none of productionVariables set, which is demo mode; with its
// DATABASE_URL and WEBHOOK_URL still set, the demo's health sync would mark real connections connected from
// the mock's answers, and its events would be signed and sent to the real app.
function checkDemoSafety(read: Reader, databaseUrl: string, webhookUrl: URL | undefined): void {
  const why = `demo mode (none of ${productionVariables.join(', ')} is set) stands in for Recall and Zoom`;
  if (/^postgres(ql)?:/i.test(databaseUrl)) {
    read.problems.push(
      `DATABASE_URL is a PostgreSQL database, which ${why} and never uses one: unset DATABASE_URL (the demo keeps ./data/gateway.db), ` +
        'or set the production variables (a missing secret file leaves them unset)',
    );
  }
  if (webhookUrl && !isLoopback(webhookUrl.hostname)) {
    read.problems.push(
      `WEBHOOK_URL is not on this machine: ${why}, and sends its events only to localhost, 127.x or [::1]; unset WEBHOOK_URL, ` +
        'or set the production variables',
    );
  }
}

/** The parameters the gateway adds to ZOOM_AUTHORIZE_URL for every flow (connect/authorize-url.ts). */
const flowAuthorizeParameters = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'];

// Zoom's Marketplace shows an "authorization URL" that already carries response_type, client_id and
// redirect_uri: pasted as ZOOM_AUTHORIZE_URL, every flow would send those twice, and Zoom may read the pasted
// (stale) redirect_uri instead of the configured one.
function checkAuthorizeUrl(read: Reader, authorizeUrl: string): void {
  const url = read.httpUrl('ZOOM_AUTHORIZE_URL', authorizeUrl);
  if (!url) return;
  const pasted = flowAuthorizeParameters.filter((name) => url.searchParams.has(name));
  if (pasted.length > 0) {
    read.problems.push(`ZOOM_AUTHORIZE_URL must not carry ${pasted.join(', ')}: the gateway adds the flow's parameters itself`);
  }
  if (authorizeUrl.includes('#')) read.problems.push('ZOOM_AUTHORIZE_URL must not have a fragment');
}

// Behind a load balancer the client IP (for rate limits) comes from X-Forwarded-For, but only from proxies
// the operator names; trusting every proxy would let any client pick its own IP. Anything but true, false or a
// list of addresses and CIDRs is refused here: Fastify would otherwise crash at start-up (`invalid IP address`).
function readTrustProxy(read: Reader): boolean | string[] {
  const value = read.raw('TRUST_PROXY');
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  const entries = read.list('TRUST_PROXY') ?? [];
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (entries.length > 0 && bad.length === 0) return entries;
  read.problems.push(`TRUST_PROXY must be true, false, or proxy addresses/CIDRs separated by commas (got "${bad.join(', ') || value}")`);
  return false;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0 || address.includes('%')) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export function loadConfig(env: Env = process.env): Config {
  const read = new Reader(env);
  const demo = isDemo(env);
  const outsideDemo = productionReason(env);

  const port = read.integer('PORT', 3000, 0, 65535);
  const host = read.raw('HOST') ?? '127.0.0.1';
  const publicUrlText = (read.raw('PUBLIC_URL') ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const publicUrl = read.httpUrl('PUBLIC_URL', publicUrlText);
  const publicOrigin = publicUrl?.origin ?? 'http://127.0.0.1';
  // connect_url is PUBLIC_URL plus a path: a query or fragment would swallow it. (A user part could hold a
  // password: the value is not repeated.)
  if (publicUrl && (publicUrl.username || publicUrl.password || /[?#]/.test(publicUrlText))) {
    read.problems.push('PUBLIC_URL must be scheme://host[:port], without user information, query or fragment');
  } else if (publicUrl && publicUrl.pathname !== '/') {
    // The routes are served at the root: under a path prefix, connect_url, the callback and the docs' server
    // would all point where the gateway serves nothing (404).
    read.problems.push(
      `PUBLIC_URL must be an origin, scheme://host[:port], without a path (got the path ${publicUrl.pathname}): the gateway serves ` +
        'its routes at the root of its host. Behind a proxy, give the gateway a host of its own (e.g. https://connect.example.com)',
    );
  }

  const region = read.oneOf('RECALL_REGION', Object.keys(recallRegions) as RecallRegion[], 'us-east-1');
  const recallBaseUrl = read.httpUrl('RECALL_BASE_URL', read.raw('RECALL_BASE_URL'))?.href.replace(/\/$/, '') ?? recallRegions[region];
  const oauthAppId = demo ? demoOauthAppId : read.required('RECALL_ZOOM_OAUTH_APP_ID', outsideDemo);
  if (oauthAppId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(oauthAppId)) {
    read.problems.push(`RECALL_ZOOM_OAUTH_APP_ID must be the Zoom OAuth App's Recall id, a UUID (got "${oauthAppId}")`);
  }

  const redirectUri = demo ? `${publicUrlText}${defaultCallbackPath}` : read.required('ZOOM_REDIRECT_URI', outsideDemo);
  const redirectUrl = redirectUri ? read.httpUrl('ZOOM_REDIRECT_URI', redirectUri) : undefined;
  // RFC 6749 §3.1.2: a redirection endpoint URI must not include a fragment.
  if (redirectUrl && redirectUri.includes('#')) read.problems.push(`ZOOM_REDIRECT_URI must not have a fragment (got "${redirectUri}")`);
  const authorizeUrl = read.raw('ZOOM_AUTHORIZE_URL') ?? (demo ? `${publicUrlText}${demoZoomAuthorizePath}` : 'https://zoom.us/oauth/authorize');
  checkAuthorizeUrl(read, authorizeUrl);

  const apiKeys = read.list('GATEWAY_API_KEYS') ?? [];
  if (!demo && apiKeys.length === 0) read.problems.push(`GATEWAY_API_KEYS is required ${outsideDemo}`);
  if (apiKeys.some((key) => key.length < 16)) read.problems.push('GATEWAY_API_KEYS: every key must be at least 16 characters');

  const webhookUrl = read.raw('WEBHOOK_URL');
  const webhookSecret = read.raw('WEBHOOK_SECRET');
  const webhookTarget = read.httpUrl('WEBHOOK_URL', webhookUrl, { secret: true });
  if (webhookUrl && !webhookSecret?.startsWith('whsec_')) read.problems.push('WEBHOOK_SECRET (whsec_...) is required when WEBHOOK_URL is set');
  // Standard Webhooks: whsec_ then the key in base64. (The value is never repeated: it is a secret.)
  else if (webhookUrl && !/^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(webhookSecret ?? '')) {
    read.problems.push('WEBHOOK_SECRET must be whsec_ followed by the key in base64');
  }
  const healthSyncIntervalS = read.integer('HEALTH_SYNC_INTERVAL_S', 60, 0, 86_400);
  const healthValidate = read.boolean('HEALTH_VALIDATE', false);
  const healthValidateAfterS = read.integer('HEALTH_VALIDATE_AFTER_S', 3600, 60, 30 * 86_400);
  // Active checks run as part of the health sync: with the sync off they would never run.
  if (healthValidate && healthSyncIntervalS === 0) read.problems.push('HEALTH_VALIDATE=true needs the health sync on (HEALTH_SYNC_INTERVAL_S > 0)');

  const config: Config = {
    port,
    host,
    publicUrl: publicUrlText,
    databaseUrl: read.raw('DATABASE_URL') ?? 'sqlite:./data/gateway.db',
    databasePoolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 1000),
    apiKeys,
    recall: {
      region,
      baseUrl: recallBaseUrl,
      apiKey: demo ? 'demo-recall-key' : read.required('RECALL_API_KEY', outsideDemo),
      oauthAppId,
      timeoutMs: read.integer('RECALL_TIMEOUT_MS', 10_000, 100, 120_000),
    },
    zoom: {
      clientId: demo ? demoZoomClientId : read.required('ZOOM_CLIENT_ID', outsideDemo),
      redirectUri,
      callbackPath: redirectUrl?.pathname ?? defaultCallbackPath,
      authorizeUrl,
      // Recall holds the client secret, so PKCE is optional here; some Zoom apps refuse S256 challenges.
      pkce: read.oneOf('ZOOM_PKCE', ['S256', 'off'] as const, 'S256'),
    },
    allowedReturnOrigins: readOrigins(read, publicOrigin, demo),
    connectSessionTtlS: read.integer('CONNECT_SESSION_TTL_S', 1800, 60, 86_400),
    flowTtlS: read.integer('FLOW_TTL_S', 600, 60, 3600),
    healthSyncIntervalS,
    healthValidate: healthValidate ? { afterS: healthValidateAfterS } : null,
    // Well under Recall's 300/min, which create, delete and refresh share.
    healthCallsPerMinute: read.integer('HEALTH_CALLS_PER_MIN', 60, 1, 200),
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret } : null,
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    demo,
    secureCookies: publicUrl?.protocol === 'https:',
    trustProxy: readTrustProxy(read),
    warnings: [],
  };

  if (demo) checkDemoSafety(read, config.databaseUrl, webhookTarget);
  if (reservedPaths.some((reserved) => reserved.test(config.zoom.callbackPath))) {
    read.problems.push(`ZOOM_REDIRECT_URI's path (${config.zoom.callbackPath}) is already a route of the gateway; pick another path`);
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);

  // The binding cookie is set on PUBLIC_URL's host by the launch: a callback on another origin never gets it.
  if (redirectUrl && publicUrl && redirectUrl.origin !== publicUrl.origin) {
    config.warnings.push(
      `ZOOM_REDIRECT_URI (${redirectUrl.origin}) is not on PUBLIC_URL's origin (${publicUrl.origin}): the browser will not send ` +
        'the binding cookie back and every callback will fail with state_cookie_missing.',
    );
  }
  const realRecall = (Object.values(recallRegions) as string[]).includes(config.recall.baseUrl);
  if (redirectUrl && isLoopback(redirectUrl.hostname) && realRecall && !demo) {
    config.warnings.push(
      `ZOOM_REDIRECT_URI (${redirectUri}) is on localhost: Recall's firewall answers 403 to a create that carries it. ` +
        'Use a public URL (a tunnel such as ngrok) registered in the Zoom app.',
    );
  }
  return config;
}
