import { describe, expect, it } from 'vitest';
import { callback, callbackFor, createSession, launch, postLaunch } from './support/flow.js';
import { testApiKey, testRecallKey, useGateway, type TestGateway } from './support/gateway.js';

const zoomCode = 'zoom-code-Q1w2E3r4T5y6U7i8O9p0';

interface Secrets {
  [name: string]: string;
}

/** Session, launch, callback and /v1/me, as a browser and the app's backend would; returns every secret seen. */
async function runFlow(gateway: TestGateway, createOutcome = 'code=201, example=created'): Promise<Secrets> {
  gateway.recall.prefer('create', createOutcome);
  const session = await createSession(gateway);
  const connectUrl = new URL(session.connect_url);
  const launched = await postLaunch(gateway, session.connect_url);
  expect(launched.statusCode).toBe(303);
  const authorizeUrl = new URL(String(launched.headers.location));
  const state = authorizeUrl.searchParams.get('state')!;
  const cookie = launched.cookies[0]!;
  const answer = await callback(gateway, { code: zoomCode, state }, { [cookie.name]: cookie.value });
  expect([303, 400]).toContain(answer.statusCode);
  const me = await gateway.request({ method: 'GET', url: '/v1/me/connection', headers: { authorization: `Bearer ${session.token}` } });
  expect([200, 404]).toContain(me.statusCode);

  const create = gateway.recall.calls.find((call) => call.operation === 'create')!;
  const grant = (create.body as { authorization_code: { code: string; code_verifier: string } }).authorization_code;
  expect(grant.code).toBe(zoomCode);
  return {
    'the Zoom code': zoomCode,
    'the state': state,
    'the PKCE verifier': grant.code_verifier,
    'the code challenge': authorizeUrl.searchParams.get('code_challenge')!,
    'the session token': session.token,
    'the launch code': connectUrl.searchParams.get('launch')!,
    'the binding cookie value': cookie.value,
    'the Recall API key': testRecallKey,
    'the gateway API key': testApiKey,
  };
}

function expectNoSecretIn(logs: string[], secrets: Secrets) {
  expect(logs.length).toBeGreaterThan(0);
  const text = logs.join('\n');
  for (const [name, secret] of Object.entries(secrets)) {
    expect(secret.length, name).toBeGreaterThan(8);
    expect(text.includes(secret), `${name} is in the logs`).toBe(false);
  }
}

describe('logs of a whole flow', () => {
  const gateway = useGateway();

  it('hold no code, state, verifier, session token, launch code or API key', async () => {
    const secrets = await runFlow(gateway);
    expectNoSecretIn(gateway.logs, secrets);
  });

  it('hold no secret when Recall refuses the code', async () => {
    const secrets = await runFlow(gateway, 'code=400, example=invalid_grant');
    expectNoSecretIn(gateway.logs, secrets);
  });

  it('log requests by path, without the query string', async () => {
    await runFlow(gateway);
    const requests = gateway.logs.map((line) => JSON.parse(line) as { req?: Record<string, unknown> }).filter((entry) => entry.req);
    const paths = requests.map((entry) => entry.req!.path);
    expect(paths).toContain('/v1/connect/zoom');
    expect(paths).toContain('/v1/connect/zoom/callback');
    for (const entry of requests) {
      expect(String(entry.req!.path)).not.toContain('?');
      expect(entry.req!.url).toBeUndefined();
    }
  });

  it('redact the Authorization header', async () => {
    await runFlow(gateway);
    expect(gateway.logs.join('\n')).not.toMatch(/Bearer [A-Za-z0-9_-]{8,}/);
  });
});

describe('logs of a whole flow at LOG_LEVEL=trace', () => {
  const gateway = useGateway({ LOG_LEVEL: 'trace' });

  it('hold no secret either', async () => {
    const secrets = await runFlow(gateway);
    expectNoSecretIn(gateway.logs, secrets);
  });

  it('hold no secret when a request fails unexpectedly', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const original = gateway.store.transaction.bind(gateway.store);
    gateway.store.transaction = async () => {
      throw new Error('disk full');
    };
    const response = await callbackFor(gateway, launched, zoomCode);
    gateway.store.transaction = original;
    expect(response.statusCode).toBe(303);
    expect(gateway.logs.join('\n')).toContain('disk full');
    const create = gateway.recall.calls.find((call) => call.operation === 'create')!;
    const verifier = (create.body as { authorization_code: { code_verifier: string } }).authorization_code.code_verifier;
    expectNoSecretIn(gateway.logs, { code: zoomCode, state: launched.state, verifier, token: launched.token, cookie: launched.cookie.value });
  });
});
