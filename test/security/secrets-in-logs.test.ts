// Logs are kept, shipped and read by many: they must hold no secret of a flow. Every path a flow can take is
// run at LOG_LEVEL=trace (everything the gateway and its Recall client can write), then the captured log is
// searched for each secret seen on the way: Zoom's codes, the states, the PKCE verifiers, the session token, the
// launch code, the binding cookie values, the Recall API key and the gateway API keys.
import { describe, expect, it } from 'vitest';
import { postLaunch } from '../support/flow.js';
import { testApiKey, testRecallKey, useGateway, type TestGateway } from '../support/gateway.js';

const otherApiKey = 'test-gateway-api-key-0002';

class Secrets {
  readonly values = new Map<string, string>();
  add(name: string, value: string | null | undefined): void {
    if (!value) throw new Error(`no ${name} to look for`);
    this.values.set(`${name} #${this.values.size}`, value);
  }
}

/** Session, launch, then Zoom's answer(s): follows the gateway's restart through Zoom once when it asks. */
async function runFlow(g: TestGateway, secrets: Secrets, label: string, zoomAnswers: Record<string, string>[]) {
  const session = await g.request({
    method: 'POST',
    url: '/v1/connect-sessions',
    headers: { authorization: `Bearer ${testApiKey}` },
    payload: { end_user_id: `user_${label}`, return_to: 'https://app.example.com/settings' },
  });
  expect(session.statusCode).toBe(201);
  const { token, connect_url: connectUrl } = session.json() as { token: string; connect_url: string };
  secrets.add('session token', token);
  secrets.add('launch code', new URL(connectUrl).searchParams.get('launch'));
  let answer = await postLaunch(g, connectUrl);
  for (const zoomAnswer of zoomAnswers) {
    // To Zoom: 303 from the launch, 302 from a callback that sends the browser through Zoom again.
    expect([302, 303]).toContain(answer.statusCode);
    expect(String(answer.headers.location)).toMatch(/^https:\/\/zoom\.us\/oauth\/authorize\?/);
    const state = new URL(String(answer.headers.location)).searchParams.get('state');
    const cookie = answer.cookies.find((c) => c.value !== '')!;
    secrets.add('state', state);
    secrets.add('binding cookie', cookie.value);
    if (zoomAnswer.code) secrets.add('Zoom code', zoomAnswer.code);
    answer = await g.request({
      method: 'GET',
      url: `/v1/connect/zoom/callback?${new URLSearchParams({ ...zoomAnswer, state: state! })}`,
      cookies: { [cookie.name]: cookie.value },
    });
  }
  expect(answer.statusCode).toBe(303);
  return { token, result: Object.fromEntries(new URL(String(answer.headers.location)).searchParams) };
}

function expectNoSecretIn(g: TestGateway, secrets: Secrets) {
  for (const call of g.recall.calls) {
    const verifier = (call.body as { authorization_code?: { code_verifier?: string } } | undefined)?.authorization_code?.code_verifier;
    if (verifier) secrets.add('PKCE verifier', verifier);
  }
  secrets.add('Recall API key', testRecallKey);
  secrets.add('gateway API key', testApiKey);
  secrets.add('second gateway API key', otherApiKey);
  const log = g.logs.join('');
  expect(g.logs.length).toBeGreaterThan(5);
  expect(log).toContain('"component":"recall"'); // the Recall client's own lines are in the capture
  const leaked = [...secrets.values].filter(([, value]) => log.includes(value)).map(([name]) => name);
  expect(leaked).toEqual([]);
  // Nor anything shaped like a bearer, a Recall token header or a cookie pair.
  expect(log).not.toMatch(/Bearer [A-Za-z0-9_-]{8,}|Token [A-Za-z0-9_-]{8,}|zcg-flow-[A-Za-z0-9_-]+=[A-Za-z0-9_-]{8,}/);
}

describe('logs of every path of a flow, at LOG_LEVEL=trace', () => {
  const g = useGateway({ LOG_LEVEL: 'trace' }, { recallLogs: true });

  it('hold none of the code, state, verifier, session token, launch code, binding cookie, Recall key or gateway keys', async () => {
    const secrets = new Secrets();
    // Connected at once.
    g.recall.prefer('create', 'code=201, example=created');
    const connected = await runFlow(g, secrets, 'a', [{ code: 'zoom-code-Aq1Sw2De3Fr4Gt5' }]);
    expect(connected.result.zoom_connect).toBe('connected');
    // Recall overloaded, then connected on the retry (the client logs the retry).
    g.recall.prefer('create', 'code=503', 'code=201, example=created');
    expect((await runFlow(g, secrets, 'b', [{ code: 'zoom-code-Hy6Ju7Ki8Lo9Pm0' }])).result.zoom_connect).toBe('connected');
    // Recall refuses the code.
    g.recall.prefer('create', 'code=400, example=invalid_grant');
    expect((await runFlow(g, secrets, 'c', [{ code: 'zoom-code-Zx1Cv2Bn3Mq4Wp5' }])).result.error).toBe('recall_invalid_grant');
    // Legacy conflict, code spent on the way: through Zoom once more, then connected.
    // (The Prism story's app is user-level: its conflict names the Zoom user.)
    g.recall.prefer('create', 'code=400, example=conflict_user', 'code=400, example=invalid_grant', 'code=201, example=created');
    g.recall.prefer('list', 'code=200, example=conflicting_user_page');
    const restarted = await runFlow(g, secrets, 'd', [{ code: 'zoom-code-Rt6Yu7Io8Pa9Sd0' }, { code: 'zoom-code-Fg1Hj2Kl3Qw4Er5' }]);
    expect(restarted.result.zoom_connect).toBe('connected');
    // Declined at Zoom, with a description Zoom chose.
    expect((await runFlow(g, secrets, 'e', [{ error: 'access_denied', error_description: 'The user denied' }])).result.error).toBe('access_denied');
    // The end user's frontend and the app's backend at work, a wrong key among them.
    expect((await g.request({ method: 'GET', url: '/v1/me/connection', headers: { authorization: `Bearer ${connected.token}` } })).statusCode).toBe(
      200,
    );
    expect((await g.request({ method: 'GET', url: '/v1/connections', headers: { authorization: `Bearer ${otherApiKey}` } })).statusCode).toBe(200);
    expect(
      (await g.request({ method: 'GET', url: '/v1/connections', headers: { authorization: `Bearer ${testApiKey.slice(0, -1)}x` } })).statusCode,
    ).toBe(401);
    g.recall.prefer('delete', 'code=204');
    expect(
      (await g.request({ method: 'DELETE', url: '/v1/me/connection', headers: { authorization: `Bearer ${connected.token}` } })).statusCode,
    ).toBe(204);

    expectNoSecretIn(g, secrets);
  });

  it('hold no secret when the callback fails unexpectedly (an error with a stack is logged)', async () => {
    const secrets = new Secrets();
    g.recall.prefer('create', 'code=201, example=created');
    const transaction = g.store.transaction.bind(g.store);
    g.store.transaction = async () => {
      throw new Error('disk I/O error');
    };
    try {
      expect((await runFlow(g, secrets, 'f', [{ code: 'zoom-code-Ui8Op9As0Df1Gh2' }])).result.error).toBe('internal_error');
    } finally {
      g.store.transaction = transaction;
    }
    expect(g.logs.join('')).toContain('disk I/O error');
    expectNoSecretIn(g, secrets);
  });
});
