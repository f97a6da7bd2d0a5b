import { describe, expect, it } from 'vitest';
import { ConfigError, demoOauthAppId, isDemo, loadConfig, recallRegions } from '../src/config.js';

const recallApiKey = 'recall-api-key-SECRET-7f3a9c';
const gatewayKeys = ['gateway-key-SECRET-0000000001', 'gateway-key-SECRET-0000000002'];

/** A complete production environment (RECALL_API_KEY set: not demo mode). */
const production: Record<string, string> = {
  RECALL_API_KEY: recallApiKey,
  RECALL_ZOOM_OAUTH_APP_ID: demoOauthAppId,
  ZOOM_CLIENT_ID: 'zoom-client-id',
  ZOOM_REDIRECT_URI: 'https://gateway.example.com/v1/connect/zoom/callback',
  GATEWAY_API_KEYS: gatewayKeys.join(','),
  PUBLIC_URL: 'https://gateway.example.com',
};

const withEnv = (overrides: Record<string, string | undefined>) => ({ ...production, ...overrides });

/** The one ConfigError loadConfig throws for `env`. */
function configError(env: Record<string, string | undefined>): ConfigError {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'loadConfig should have refused this environment').toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('loadConfig', () => {
  it('loads a complete production environment without problems or warnings', () => {
    const config = loadConfig(production);
    expect(config).toMatchObject({
      demo: false,
      port: 3000,
      publicUrl: 'https://gateway.example.com',
      apiKeys: gatewayKeys,
      connectSessionTtlS: 1800,
      flowTtlS: 600,
      healthSyncIntervalS: 60,
      logLevel: 'info',
      allowedReturnOrigins: ['https://gateway.example.com'],
      zoom: { authorizeUrl: 'https://zoom.us/oauth/authorize', redirectUri: production.ZOOM_REDIRECT_URI },
    });
    expect(config.warnings).toEqual([]);
  });

  describe('required variables outside demo mode', () => {
    it.each(['RECALL_ZOOM_OAUTH_APP_ID', 'ZOOM_CLIENT_ID', 'ZOOM_REDIRECT_URI', 'GATEWAY_API_KEYS'])('names %s when it is missing', (name) => {
      const error = configError(withEnv({ [name]: undefined }));
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain(name);
    });

    it.each(['RECALL_ZOOM_OAUTH_APP_ID', 'ZOOM_CLIENT_ID', 'ZOOM_REDIRECT_URI', 'GATEWAY_API_KEYS'])('names %s when it is set to blanks', (name) => {
      expect(configError(withEnv({ [name]: '   ' })).message).toContain(name);
    });

    it('names every missing variable in one error', () => {
      const error = configError({ RECALL_API_KEY: recallApiKey });
      for (const name of ['RECALL_ZOOM_OAUTH_APP_ID', 'ZOOM_CLIENT_ID', 'ZOOM_REDIRECT_URI', 'GATEWAY_API_KEYS']) {
        expect(error.message).toContain(name);
      }
      expect(error.problems).toHaveLength(4);
    });

    it('refuses a gateway API key shorter than 16 characters', () => {
      expect(configError(withEnv({ GATEWAY_API_KEYS: `${gatewayKeys[0]},short` })).message).toContain('GATEWAY_API_KEYS');
    });
  });

  describe('integer variables', () => {
    it.each([
      ['PORT', 'http'],
      ['PORT', '65536'],
      ['PORT', '-1'],
      ['PORT', '3000.5'],
      ['FLOW_TTL_S', '10m'],
      ['FLOW_TTL_S', '59'],
      ['FLOW_TTL_S', '3601'],
      ['CONNECT_SESSION_TTL_S', '1e3'],
      ['CONNECT_SESSION_TTL_S', '0'],
      ['CONNECT_SESSION_TTL_S', '86401'],
      ['HEALTH_SYNC_INTERVAL_S', '-60'],
      ['HEALTH_SYNC_INTERVAL_S', '1.5'],
      ['HEALTH_SYNC_INTERVAL_S', '86401'],
    ])('names %s=%s', (name, value) => {
      const error = configError(withEnv({ [name]: value }));
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain(name);
    });

    it('takes the bounds themselves, and 0 turns the health sync off', () => {
      const config = loadConfig(withEnv({ PORT: '65535', FLOW_TTL_S: '60', CONNECT_SESSION_TTL_S: '86400', HEALTH_SYNC_INTERVAL_S: '0' }));
      expect(config).toMatchObject({ port: 65535, flowTtlS: 60, connectSessionTtlS: 86_400, healthSyncIntervalS: 0 });
    });
  });

  it('names an unknown RECALL_REGION', () => {
    const error = configError(withEnv({ RECALL_REGION: 'us-east-2' }));
    expect(error.message).toContain('RECALL_REGION');
    expect(error.message).toContain('us-east-2');
  });

  it('names an unknown LOG_LEVEL', () => {
    expect(configError(withEnv({ LOG_LEVEL: 'verbose' })).message).toContain('LOG_LEVEL');
  });

  describe('URL variables must be absolute http(s) URLs', () => {
    const notAbsoluteHttp = [
      'gateway.example.com/path',
      '/v1/connect/zoom/callback',
      'ftp://gateway.example.com/path',
      'javascript:alert(1)',
      'https:/gateway.example.com/path',
      'https:gateway.example.com/path',
      'https:\\\\gateway.example.com\\path',
      'https://',
    ];
    const cases = ['PUBLIC_URL', 'RECALL_BASE_URL', 'ZOOM_AUTHORIZE_URL', 'ZOOM_REDIRECT_URI'].flatMap((name) =>
      notAbsoluteHttp.map((value) => [name, value] as const),
    );

    it.each(cases)('names %s=%s', (name, value) => {
      const error = configError(withEnv({ [name]: value }));
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain(name);
    });

    it.each([
      ['response_type', 'https://zoom.us/oauth/authorize?response_type=code'],
      ['client_id, redirect_uri', 'https://zoom.us/oauth/authorize?client_id=abc&redirect_uri=https%3A%2F%2Fold.example.com%2Fcb'],
      ['state', 'https://zoom.us/oauth/authorize?state=fixed'],
      ['code_challenge, code_challenge_method', 'https://zoom.us/oauth/authorize?code_challenge=x&code_challenge_method=plain'],
    ])('refuses a ZOOM_AUTHORIZE_URL that already carries the flow parameter(s) %s', (names, value) => {
      const error = configError(withEnv({ ZOOM_AUTHORIZE_URL: value }));
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain('ZOOM_AUTHORIZE_URL');
      expect(error.message).toContain(names);
    });

    it('takes a ZOOM_AUTHORIZE_URL with a query of its own', () => {
      const value = 'https://zoom.example.com/oauth/authorize?prompt=consent';
      expect(loadConfig(withEnv({ ZOOM_AUTHORIZE_URL: value })).zoom.authorizeUrl).toBe(value);
    });

    it('refuses a ZOOM_AUTHORIZE_URL with a fragment', () => {
      expect(configError(withEnv({ ZOOM_AUTHORIZE_URL: 'https://zoom.us/oauth/authorize#consent' })).message).toContain('ZOOM_AUTHORIZE_URL');
    });

    it.each(['https://gateway.example.com?tenant=acme', 'https://gateway.example.com/#top', 'https://admin:hunter2-SECRET@gateway.example.com'])(
      'refuses a PUBLIC_URL that connect_url could not be appended to: %s',
      (value) => {
        const error = configError(withEnv({ PUBLIC_URL: value }));
        expect(error.problems).toHaveLength(1);
        expect(error.message).toContain('PUBLIC_URL');
        expect(error.message).not.toContain('hunter2-SECRET');
      },
    );

    it('takes a PUBLIC_URL with a trailing slash, without it', () => {
      expect(loadConfig(withEnv({ PUBLIC_URL: 'https://gateway.example.com/' })).publicUrl).toBe('https://gateway.example.com');
    });

    // The routes are served at the root: under a path, connect_url, the callback and the docs' server would 404.
    it.each(['https://example.com/gateway', 'https://example.com/gateway/'])('refuses a PUBLIC_URL with a path, naming it: %s', (value) => {
      const error = configError(withEnv({ PUBLIC_URL: value }));
      expect(error.problems).toEqual([
        expect.stringMatching(/^PUBLIC_URL must be an origin, scheme:\/\/host\[:port\], without a path \(got the path \/gateway\)/),
      ]);
    });

    it('refuses a PUBLIC_URL with a path in demo mode too', () => {
      expect(configError({ PUBLIC_URL: 'http://127.0.0.1:3000/demo' }).problems).toEqual([expect.stringContaining('without a path')]);
    });

    it('refuses a ZOOM_REDIRECT_URI with a fragment (RFC 6749 §3.1.2)', () => {
      const error = configError(withEnv({ ZOOM_REDIRECT_URI: 'https://gateway.example.com/v1/connect/zoom/callback#done' }));
      expect(error.message).toContain('ZOOM_REDIRECT_URI');
    });

    // The route table is gateway.yaml's (generated), so a route added to the spec is reserved with no other change.
    it.each([
      '/',
      '/metrics',
      '/readyz',
      '/v1/connect-sessions',
      '/v1/connections/some-connection',
      '/v1/connections/x/refresh',
      '/v1/me/connection',
    ])("refuses a ZOOM_REDIRECT_URI whose path %s is already one of the gateway's routes", (path) => {
      const error = configError(withEnv({ ZOOM_REDIRECT_URI: `https://gateway.example.com${path}` }));
      expect(error.message).toContain(`ZOOM_REDIRECT_URI's path (${path}) is already a route of the gateway`);
    });

    it("takes a ZOOM_REDIRECT_URI whose path differs from a route's only where the route has a dot", () => {
      expect(loadConfig(withEnv({ ZOOM_REDIRECT_URI: 'https://gateway.example.com/openapixjson' })).zoom.callbackPath).toBe('/openapixjson');
      expect(configError(withEnv({ ZOOM_REDIRECT_URI: 'https://gateway.example.com/openapi.json' })).message).toContain('already a route');
    });

    it('takes a ZOOM_REDIRECT_URI whose path only starts like a route', () => {
      expect(loadConfig(withEnv({ ZOOM_REDIRECT_URI: 'https://gateway.example.com/v1/connections/x/y/z' })).zoom.callbackPath).toBe(
        '/v1/connections/x/y/z',
      );
    });
  });

  describe('ALLOWED_RETURN_ORIGINS', () => {
    it.each([
      'https://app.example.com/settings',
      'https://app.example.com?x=1',
      'https://app.example.com#top',
      'https://user@app.example.com',
      'app.example.com',
      'ftp://app.example.com',
      '*',
      'null',
    ])('names an entry that is not a bare origin: %s', (entry) => {
      const error = configError(withEnv({ ALLOWED_RETURN_ORIGINS: `https://ok.example.com,${entry}` }));
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain('ALLOWED_RETURN_ORIGINS');
    });

    it('names the variable when it is set but lists no origin', () => {
      expect(configError(withEnv({ ALLOWED_RETURN_ORIGINS: ' , ' })).message).toContain('ALLOWED_RETURN_ORIGINS');
    });

    it('defaults to the origin of PUBLIC_URL', () => {
      expect(loadConfig(withEnv({ PUBLIC_URL: 'https://gateway.example.com:8443/' })).allowedReturnOrigins).toEqual([
        'https://gateway.example.com:8443',
      ]);
    });

    it('keeps several origins, with a trailing slash dropped and an explicit port kept', () => {
      const config = loadConfig(withEnv({ ALLOWED_RETURN_ORIGINS: 'https://app.example.com/, http://localhost:5173' }));
      expect(config.allowedReturnOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    });

    it("keeps the gateway's own origin allowed in demo mode, whose page lives there, when the list names others", () => {
      const config = loadConfig({ PORT: '4100', ALLOWED_RETURN_ORIGINS: 'http://127.0.0.1:3000,http://localhost:5173' });
      expect(config.demo).toBe(true);
      expect(config.allowedReturnOrigins).toEqual(['http://127.0.0.1:3000', 'http://localhost:5173', 'http://127.0.0.1:4100']);
    });

    it("adds nothing outside demo mode: the list is the operator's", () => {
      const config = loadConfig(withEnv({ ALLOWED_RETURN_ORIGINS: 'https://app.example.com' }));
      expect(config.allowedReturnOrigins).toEqual(['https://app.example.com']);
    });

    it('normalizes a mixed-case origin and a default port to the origin a browser sends', () => {
      const config = loadConfig(withEnv({ ALLOWED_RETURN_ORIGINS: 'HTTPS://App.Example.com,https://other.example.com:443' }));
      expect(config.allowedReturnOrigins).toEqual(['https://app.example.com', 'https://other.example.com']);
    });
  });

  describe('webhooks', () => {
    it('names WEBHOOK_SECRET when WEBHOOK_URL is set without it', () => {
      expect(configError(withEnv({ WEBHOOK_URL: 'https://app.example.com/hooks/zoom' })).message).toContain('WEBHOOK_SECRET');
    });

    it('names WEBHOOK_SECRET, without repeating it, when it does not start with whsec_', () => {
      const error = configError(withEnv({ WEBHOOK_URL: 'https://app.example.com/hooks/zoom', WEBHOOK_SECRET: 'not-a-whsec-SECRET-value' }));
      expect(error.message).toContain('WEBHOOK_SECRET');
      expect(error.message).not.toContain('not-a-whsec-SECRET-value');
    });

    it('turns webhooks on with a whsec_ secret', () => {
      const config = loadConfig(withEnv({ WEBHOOK_URL: 'https://app.example.com/hooks/zoom', WEBHOOK_SECRET: 'whsec_c2VjcmV0' }));
      expect(config.webhook).toEqual({ url: 'https://app.example.com/hooks/zoom', secret: 'whsec_c2VjcmV0' });
    });

    it('leaves webhooks off without WEBHOOK_URL', () => {
      expect(loadConfig(production).webhook).toBeNull();
    });

    it('names a malformed WEBHOOK_URL without repeating it (a webhook URL often carries a token)', () => {
      const error = configError(withEnv({ WEBHOOK_URL: 'hooks.example.com/zoom?token=SECRET-hook-token', WEBHOOK_SECRET: 'whsec_c2VjcmV0' }));
      expect(error.problems).toEqual(['WEBHOOK_URL must be an absolute http(s) URL (its value is not repeated: it may carry a token)']);
      expect(error.message).not.toContain('SECRET-hook-token');
    });

    it('names WEBHOOK_SECRET, without repeating it, when its key is not base64', () => {
      const error = configError(withEnv({ WEBHOOK_URL: 'https://app.example.com/hooks/zoom', WEBHOOK_SECRET: 'whsec_not base64!SECRET' }));
      expect(error.problems).toEqual(['WEBHOOK_SECRET must be whsec_ followed by the key in base64']);
      expect(error.message).not.toContain('not base64!SECRET');
    });
  });

  describe('health sync', () => {
    it('syncs every 60 seconds, without active checks, spending at most 60 Recall calls a minute on them', () => {
      expect(loadConfig(production)).toMatchObject({ healthSyncIntervalS: 60, healthValidate: null, healthCallsPerMinute: 60 });
    });

    it('turns active checks on with HEALTH_VALIDATE, after HEALTH_VALIDATE_AFTER_S (an hour by default)', () => {
      expect(loadConfig(withEnv({ HEALTH_VALIDATE: 'true' })).healthValidate).toEqual({ afterS: 3600 });
      expect(loadConfig(withEnv({ HEALTH_VALIDATE: '1', HEALTH_VALIDATE_AFTER_S: '86400' })).healthValidate).toEqual({ afterS: 86_400 });
      expect(loadConfig(withEnv({ HEALTH_VALIDATE: 'false', HEALTH_VALIDATE_AFTER_S: '86400' })).healthValidate).toBeNull();
    });

    it.each(['yes', 'on', '2'])('names HEALTH_VALIDATE when it is %s instead of true or false', (value) => {
      expect(configError(withEnv({ HEALTH_VALIDATE: value })).problems).toEqual([`HEALTH_VALIDATE must be true or false (got "${value}")`]);
    });

    it.each([
      ['HEALTH_VALIDATE_AFTER_S', '59'],
      ['HEALTH_VALIDATE_AFTER_S', 'hourly'],
      ['HEALTH_CALLS_PER_MIN', '0'],
      ['HEALTH_CALLS_PER_MIN', '300'],
      ['HEALTH_SYNC_INTERVAL_S', '-1'],
    ])('names %s when it is %s', (name, value) => {
      const error = configError(withEnv({ HEALTH_VALIDATE: 'true', [name]: value }));
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain(name);
    });

    it('refuses active checks with the health sync off, as they run inside it', () => {
      const error = configError(withEnv({ HEALTH_VALIDATE: 'true', HEALTH_SYNC_INTERVAL_S: '0' }));
      expect(error.problems).toEqual(['HEALTH_VALIDATE=true needs the health sync on (HEALTH_SYNC_INTERVAL_S > 0)']);
    });

    it('takes HEALTH_CALLS_PER_MIN from 1 to 200', () => {
      expect(loadConfig(withEnv({ HEALTH_CALLS_PER_MIN: '200' })).healthCallsPerMinute).toBe(200);
      expect(loadConfig(withEnv({ HEALTH_CALLS_PER_MIN: '1' })).healthCallsPerMinute).toBe(1);
    });
  });

  describe('Recall base URL', () => {
    it.each([
      ['us-east-1', 'https://us-east-1.recall.ai'],
      ['us-west-2', 'https://us-west-2.recall.ai'],
      ['eu-central-1', 'https://eu-central-1.recall.ai'],
      ['ap-northeast-1', 'https://ap-northeast-1.recall.ai'],
    ])('defaults from RECALL_REGION=%s to %s', (region, baseUrl) => {
      expect(loadConfig(withEnv({ RECALL_REGION: region })).recall).toMatchObject({ region, baseUrl });
    });

    it('defaults to us-east-1 without RECALL_REGION', () => {
      expect(loadConfig(production).recall.baseUrl).toBe(recallRegions['us-east-1']);
    });

    it('takes RECALL_BASE_URL over the region, without a trailing slash', () => {
      const config = loadConfig(withEnv({ RECALL_REGION: 'eu-central-1', RECALL_BASE_URL: 'http://127.0.0.1:4010/' }));
      expect(config.recall.baseUrl).toBe('http://127.0.0.1:4010');
    });
  });

  describe('a localhost ZOOM_REDIRECT_URI', () => {
    it.each([
      ['http://localhost:3000/v1/connect/zoom/callback', 'us-east-1'],
      ['http://127.0.0.1:3000/v1/connect/zoom/callback', 'eu-central-1'],
      ['http://127.4.5.6/cb', 'ap-northeast-1'],
    ])('with a real Recall region warns that Recall answers 403: %s (%s)', (redirectUri, region) => {
      const config = loadConfig(withEnv({ ZOOM_REDIRECT_URI: redirectUri, RECALL_REGION: region }));
      const firewall = config.warnings.filter((w) => w.includes('403'));
      expect(firewall).toHaveLength(1);
      expect(firewall[0]).toContain('ZOOM_REDIRECT_URI');
    });

    it('with RECALL_BASE_URL naming the real region still warns', () => {
      const config = loadConfig(withEnv({ ZOOM_REDIRECT_URI: 'http://localhost:3000/cb', RECALL_BASE_URL: 'https://us-west-2.recall.ai/' }));
      expect(config.warnings.filter((w) => w.includes('403'))).toHaveLength(1);
    });

    it('with a mock RECALL_BASE_URL gives no warning', () => {
      const config = loadConfig(withEnv({ ZOOM_REDIRECT_URI: 'http://localhost:3000/cb', RECALL_BASE_URL: 'http://127.0.0.1:4010' }));
      expect(config.warnings.filter((w) => w.includes('403'))).toEqual([]);
    });
  });

  describe('the callback path and origin', () => {
    it.each(['/healthz', '/v1/connect/zoom', '/docs'])('refuses a ZOOM_REDIRECT_URI whose path %s is a route of the gateway', (path) => {
      expect(() => loadConfig(withEnv({ ZOOM_REDIRECT_URI: `https://gateway.example.com${path}` }))).toThrow(/ZOOM_REDIRECT_URI's path/);
    });

    it('warns when ZOOM_REDIRECT_URI is on another origin than PUBLIC_URL (the binding cookie never comes back)', () => {
      const config = loadConfig(withEnv({ ZOOM_REDIRECT_URI: 'https://elsewhere.example.com/v1/connect/zoom/callback' }));
      expect(config.warnings).toEqual([expect.stringContaining('state_cookie_missing')]);
    });
  });

  describe('demo mode: only with no production variable set, and never with NODE_ENV=production', () => {
    it('needs nothing else', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({ demo: true, publicUrl: 'http://127.0.0.1:3000', secureCookies: false, warnings: [] });
      expect(config.zoom.redirectUri).toBe('http://127.0.0.1:3000/v1/connect/zoom/callback');
      expect(config.recall.oauthAppId).toBe(demoOauthAppId);
    });

    it('still names a bad value', () => {
      expect(configError({ PORT: 'eighty' }).message).toContain('PORT');
    });

    it('is not entered when RECALL_API_KEY is empty next to every other production variable (a missing secret file)', () => {
      const error = configError(withEnv({ RECALL_API_KEY: '' }));
      expect(error.problems).toEqual([expect.stringContaining('RECALL_API_KEY is required outside demo mode')]);
      expect(error.message).toContain('RECALL_ZOOM_OAUTH_APP_ID, ZOOM_CLIENT_ID, ZOOM_REDIRECT_URI, GATEWAY_API_KEYS are set');
      expect(error.message).not.toContain(gatewayKeys[0]);
    });

    it.each(['RECALL_ZOOM_OAUTH_APP_ID', 'ZOOM_CLIENT_ID', 'ZOOM_REDIRECT_URI', 'GATEWAY_API_KEYS', 'RECALL_API_KEY'])(
      'is not entered when %s alone is set, even empty: RECALL_API_KEY and the rest are required',
      (name) => {
        const error = configError({ [name]: '' });
        expect(error.message).toContain(`${name} is set`);
        expect(error.message).toContain('RECALL_API_KEY is required outside demo mode');
      },
    );

    it.each(['production', 'PRODUCTION', ' production '])('is never entered with NODE_ENV=%j: RECALL_API_KEY is required', (nodeEnv) => {
      const error = configError({ NODE_ENV: nodeEnv });
      expect(error.message).toContain('RECALL_API_KEY is required with NODE_ENV=production');
    });

    it('runs with NODE_ENV set to anything else, and with the variables that only point at mocks', () => {
      const config = loadConfig({
        NODE_ENV: 'development',
        RECALL_BASE_URL: 'http://127.0.0.1:4010',
        ALLOWED_RETURN_ORIGINS: 'http://localhost:5173',
      });
      expect(config.demo).toBe(true);
      expect(config.recall.baseUrl).toBe('http://127.0.0.1:4010');
    });

    it('refuses a PostgreSQL DATABASE_URL, saying why and without repeating its password', () => {
      const error = configError({ DATABASE_URL: 'postgres://gateway:db-SECRET-password@db.internal:5432/gateway' });
      expect(error.problems).toEqual([expect.stringMatching(/^DATABASE_URL is a PostgreSQL database, which demo mode .* never uses one/)]);
      expect(error.message).toContain('RECALL_API_KEY');
      expect(error.message).not.toContain('db-SECRET-password');
      expect(configError({ DATABASE_URL: 'postgresql://db.internal/gateway' }).message).toContain('DATABASE_URL is a PostgreSQL database');
    });

    it('takes a SQLite DATABASE_URL', () => {
      expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe('sqlite::memory:');
    });

    it('refuses a WEBHOOK_URL off this machine, without repeating it, and takes a local one', () => {
      const secret = 'whsec_c2VjcmV0';
      const error = configError({ WEBHOOK_URL: 'https://app.example.com/hooks?token=SECRET-hook-token', WEBHOOK_SECRET: secret });
      expect(error.problems).toEqual([
        expect.stringMatching(/^WEBHOOK_URL is not on this machine: demo mode .* only to localhost, 127\.x or \[::1\]/),
      ]);
      expect(error.message).not.toContain('SECRET-hook-token');
      for (const local of ['http://localhost:4000/hooks', 'http://127.0.0.1:4000/hooks', 'http://[::1]:4000/hooks']) {
        expect(loadConfig({ WEBHOOK_URL: local, WEBHOOK_SECRET: secret }).webhook?.url).toBe(local);
      }
    });

    it('is told by isDemo the same way server.ts asks it', () => {
      expect(isDemo({})).toBe(true);
      expect(isDemo({ RECALL_API_KEY: '' })).toBe(false);
      expect(isDemo({ NODE_ENV: 'production' })).toBe(false);
      expect(isDemo({ GATEWAY_API_KEYS: undefined, NODE_ENV: 'test' })).toBe(true);
    });
  });

  describe('TRUST_PROXY', () => {
    it.each([
      ['true', true],
      ['TRUE', true],
      ['True', true],
      ['false', false],
      ['FALSE', false],
      ['10.0.0.0/8', ['10.0.0.0/8']],
      ['10.0.0.1, 192.168.0.0/16,::1,fd00::/8', ['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8']],
    ] as const)('reads %j', (value, expected) => {
      expect(loadConfig(withEnv({ TRUST_PROXY: value })).trustProxy).toEqual(expected);
    });

    it('is false when unset', () => {
      expect(loadConfig(production).trustProxy).toBe(false);
    });

    it.each(['yes', '1', 'TRUE,', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8,proxy.internal', 'fd00::/129', '10.0.0.1/8/1', ','])(
      'refuses %j, naming TRUST_PROXY',
      (value) => {
        const error = configError(withEnv({ TRUST_PROXY: value }));
        expect(error.problems).toEqual([expect.stringContaining('TRUST_PROXY must be true, false, or proxy addresses/CIDRs')]);
      },
    );
  });

  describe('the callback path follows the path of ZOOM_REDIRECT_URI', () => {
    it.each([
      ['https://gateway.example.com/oauth/zoom/return', '/oauth/zoom/return'],
      ['https://gateway.example.com/oauth/zoom/return/', '/oauth/zoom/return/'],
      ['https://gateway.example.com/oauth/zoom/return?tenant=acme', '/oauth/zoom/return'],
    ])('%s listens at %s', (redirectUri, callbackPath) => {
      const config = loadConfig(withEnv({ ZOOM_REDIRECT_URI: redirectUri }));
      expect(config.zoom.callbackPath).toBe(callbackPath);
      expect(config.zoom.redirectUri).toBe(redirectUri);
    });
  });

  describe('secure cookies follow the scheme of PUBLIC_URL', () => {
    it('are on for https', () => {
      expect(loadConfig(production).secureCookies).toBe(true);
    });

    it('are off for http', () => {
      expect(loadConfig(withEnv({ PUBLIC_URL: 'http://127.0.0.1:3000' })).secureCookies).toBe(false);
    });
  });

  it('names every bad variable in one error', () => {
    const error = configError(
      withEnv({
        PORT: 'eighty',
        RECALL_REGION: 'mars-1',
        ZOOM_CLIENT_ID: undefined,
        ZOOM_AUTHORIZE_URL: 'zoom.us/oauth/authorize',
        ALLOWED_RETURN_ORIGINS: 'https://app.example.com/path',
        FLOW_TTL_S: '5',
        WEBHOOK_URL: 'https://app.example.com/hooks',
        LOG_LEVEL: 'loud',
      }),
    );
    const names = [
      'PORT',
      'RECALL_REGION',
      'ZOOM_CLIENT_ID',
      'ZOOM_AUTHORIZE_URL',
      'ALLOWED_RETURN_ORIGINS',
      'FLOW_TTL_S',
      'WEBHOOK_SECRET',
      'LOG_LEVEL',
    ];
    for (const name of names) expect(error.message).toContain(name);
    expect(error.problems).toHaveLength(names.length);
  });

  it('never repeats a secret in the error', () => {
    const error = configError({
      RECALL_API_KEY: recallApiKey,
      GATEWAY_API_KEYS: `${gatewayKeys[0]},short-SECRET`,
      PORT: 'eighty',
      RECALL_REGION: 'nowhere',
      WEBHOOK_URL: 'https://app.example.com/hooks',
      WEBHOOK_SECRET: 'plain-SECRET-webhook',
    });
    expect(error.problems.length).toBeGreaterThan(3);
    for (const secret of [recallApiKey, gatewayKeys[0]!, 'short-SECRET', 'plain-SECRET-webhook']) expect(error.message).not.toContain(secret);
  });
});
