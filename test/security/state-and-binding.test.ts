// RFC 9700 §2.1 and §4.7.1 (CSRF): the callback is accepted only from the browser that started the flow, with a
// `state` used once and within FLOW_TTL_S; §4.2.4: the state is invalidated at first use. The launch code in
// connect_url is single use too. Each refused callback is refused *before* Recall is called: it never spends the
// user's authorization code, and never writes a connection.
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway, type TestGateway } from '../support/gateway.js';
import { callback, callbackFor, createSession, launch, postLaunch, type Launched } from '../support/flow.js';

const resultOf = (response: LightMyRequestResponse) => {
  expect(response.statusCode, response.body).toBe(303);
  const location = new URL(String(response.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(`${appOrigin}/settings`);
  return Object.fromEntries(location.searchParams);
};

async function expectRecallUntouched(gateway: TestGateway) {
  expect(gateway.recall.calls.filter((call) => call.operation === 'create')).toEqual([]);
  expect(await gateway.store.listConnections({ limit: 10 })).toEqual([]);
}

/** One character of a base64url value changed: the same length, the same alphabet. */
const flipLast = (value: string) => `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;

describe('the binding cookie: a callback only counts in the browser that started the flow', () => {
  const gateway = useGateway();

  const cases: [string, (mine: Launched, other: Launched) => Record<string, string>, string][] = [
    ['no binding cookie at all', () => ({}), 'state_cookie_missing'],
    ["only another flow's cookie (another tab or user)", (_mine, other) => ({ [other.cookie.name]: other.cookie.value }), 'state_cookie_missing'],
    ["another flow's value under this flow's cookie name", (mine, other) => ({ [mine.cookie.name]: other.cookie.value }), 'state_mismatch'],
    ['a tampered value (one character changed)', (mine) => ({ [mine.cookie.name]: flipLast(mine.cookie.value) }), 'state_mismatch'],
    ['a truncated value', (mine) => ({ [mine.cookie.name]: mine.cookie.value.slice(0, 20) }), 'state_mismatch'],
    ['an empty value', (mine) => ({ [mine.cookie.name]: '' }), 'state_mismatch'],
    ['the value with a suffix', (mine) => ({ [mine.cookie.name]: `${mine.cookie.value}x` }), 'state_mismatch'],
  ];

  it.each(cases)('refuses a callback with %s (%#), before Recall is called', async (_name, cookiesFor, code) => {
    const mine = await launch(gateway);
    const other = await launch(gateway, { end_user_id: 'user_43' });
    const response = await callback(gateway, { code: 'zoom-code', state: mine.state }, cookiesFor(mine, other));
    expect(resultOf(response)).toEqual({ zoom_connect: 'error', error: code });
    await expectRecallUntouched(gateway);
    // The state is spent by the refused attempt: not even the right browser can use it after an attack.
    expect(resultOf(await callbackFor(gateway, mine))).toEqual({ zoom_connect: 'error', error: 'state_reused' });
    await expectRecallUntouched(gateway);
  });

  it('accepts the same callback with the right cookie', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const mine = await launch(gateway);
    expect(resultOf(await callbackFor(gateway, mine)).zoom_connect).toBe('connected');
  });
});

describe('state: single use, bounded in time, and issued by this gateway', () => {
  const gateway = useGateway();

  it("answers every replay after a completed callback with the flow's stored outcome, and Recall sees the code once", async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const first = resultOf(await callbackFor(gateway, launched));
    expect(first.zoom_connect).toBe('connected');
    for (let replay = 0; replay < 3; replay++) expect(resultOf(await callbackFor(gateway, launched))).toEqual(first);
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create']);
  });

  it('answers state_reused to every replay after a failed callback, and Recall sees the code once', async () => {
    gateway.recall.prefer('create', 'code=400, example=invalid_grant');
    const launched = await launch(gateway);
    expect(resultOf(await callbackFor(gateway, launched))).toEqual({ zoom_connect: 'error', error: 'recall_invalid_grant' });
    for (let replay = 0; replay < 3; replay++) {
      expect(resultOf(await callbackFor(gateway, launched))).toEqual({ zoom_connect: 'error', error: 'state_reused' });
    }
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create']);
  });

  it('lets exactly one of 20 concurrent callbacks with one state reach Recall', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const results = (await Promise.all(Array.from({ length: 20 }, () => callbackFor(gateway, launched)))).map(resultOf);
    // The others answer state_reused while the first runs, or its stored outcome once it finished.
    const connected = results.filter((result) => result.zoom_connect === 'connected');
    expect(connected.length).toBeGreaterThanOrEqual(1);
    expect(new Set(connected.map((result) => result.connection_id)).size).toBe(1);
    expect(results.filter((result) => result.zoom_connect !== 'connected').every((result) => result.error === 'state_reused')).toBe(true);
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create']);
    expect(await gateway.store.listConnections({ limit: 10 })).toHaveLength(1);
  });

  it('answers state_expired once FLOW_TTL_S has passed, before Recall is called', async () => {
    const launched = await launch(gateway);
    gateway.clock.advance(gateway.config.flowTtlS + 1);
    expect(resultOf(await callbackFor(gateway, launched))).toEqual({ zoom_connect: 'error', error: 'state_expired' });
    await expectRecallUntouched(gateway);
  });

  it.each([
    ['a state this gateway never issued', (launched: Launched) => `${launched.state.slice(0, -2)}xy`, 'state_invalid'],
    ['no state', () => undefined, 'state_missing'],
  ])('answers %s with the flow cookie present with a named code, before Recall is called', async (_name, stateFor, code) => {
    const launched = await launch(gateway);
    const state = stateFor(launched);
    const response = await callback(
      gateway,
      { code: 'zoom-code', ...(state ? { state } : {}) },
      { [launched.cookie.name]: launched.cookie.value },
      { accept: 'application/json' },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
    await expectRecallUntouched(gateway);
  });
});

describe('the launch code: single use', () => {
  const gateway = useGateway();
  const open = (connectUrl: string) => postLaunch(gateway, connectUrl);
  const startedFlow = (answer: LightMyRequestResponse) => answer.statusCode === 303 && answer.headers['set-cookie'] !== undefined;

  it('starts one flow, then answers session_used to the same connect_url', async () => {
    const session = await createSession(gateway);
    expect(startedFlow(await open(session.connect_url))).toBe(true);
    const replay = await open(session.connect_url);
    expect(resultOf(replay)).toEqual({ zoom_connect: 'error', error: 'session_used' });
    expect(replay.headers['set-cookie']).toBeUndefined();
  });

  it('starts exactly one flow when 10 uses of one connect_url arrive at once', async () => {
    const session = await createSession(gateway);
    const answers = await Promise.all(Array.from({ length: 10 }, () => open(session.connect_url)));
    expect(answers.filter(startedFlow)).toHaveLength(1);
    expect(answers.filter((answer) => !startedFlow(answer)).map((answer) => resultOf(answer).error)).toEqual(Array(9).fill('session_used'));
  });

  it('does not take the session token (the /v1/me bearer) for a launch code', async () => {
    const session = await createSession(gateway);
    const answer = await postLaunch(gateway, `https://gateway.example.com/v1/connect/zoom?launch=${session.token}`, {
      headers: { accept: 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().code).toBe('session_invalid');
  });
});
