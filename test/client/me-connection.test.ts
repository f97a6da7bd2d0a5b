// The thin GET/DELETE /v1/me/connection calls: first against fakes (what is sent, how failures read), then
// against the Prism mock of gateway.yaml, the one frontend teams develop against (npm run mock:gateway).
import { describe, expect, it } from 'vitest';
import { deleteMyConnection, getMyConnection, getMySession, ZoomConnectError } from '../../src/client/index.js';
import { usePrism } from '../support/prism.js';
import { connection, found, gatewayUrl, mySession, notConnected, problem, token, useFakeBrowser } from './fake-browser.js';

async function failureOf(promise: Promise<unknown>): Promise<ZoomConnectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZoomConnectError);
  return error as ZoomConnectError;
}

describe('with a fake fetch', () => {
  const browser = useFakeBrowser();

  it('GETs /v1/me/connection under the base URL with the session token as bearer, and returns the connection', async () => {
    browser.fetch.answer(found());
    expect(await getMyConnection({ baseUrl: `${gatewayUrl}/`, token })).toEqual(connection());
    expect(browser.fetch.calls).toEqual([{ url: `${gatewayUrl}/v1/me/connection`, method: 'GET', headers: { authorization: `Bearer ${token}` } }]);
  });

  it('GETs /v1/me/session and returns the session with its connection, or null', async () => {
    browser.fetch.answer(mySession(null), mySession(connection()));
    expect((await getMySession({ baseUrl: gatewayUrl, token })).connection).toBeNull();
    expect((await getMySession({ baseUrl: gatewayUrl, token })).connection).toEqual(connection());
    expect(browser.fetch.calls.map((call) => call.url)).toEqual([`${gatewayUrl}/v1/me/session`, `${gatewayUrl}/v1/me/session`]);
    expect(browser.fetch.calls[0]!.headers).toEqual({ authorization: `Bearer ${token}` });
  });

  it('DELETEs /v1/me/connection and resolves with nothing on 204', async () => {
    browser.fetch.answer({ status: 204 });
    expect(await deleteMyConnection({ baseUrl: gatewayUrl, token, headers: { prefer: 'code=204' } })).toBeUndefined();
    expect(browser.fetch.calls).toEqual([
      { url: `${gatewayUrl}/v1/me/connection`, method: 'DELETE', headers: { authorization: `Bearer ${token}`, prefer: 'code=204' } },
    ]);
  });

  it("rejects with the problem's code, detail and status", async () => {
    browser.fetch.answer(notConnected());
    expect(await failureOf(getMyConnection({ baseUrl: gatewayUrl, token }))).toMatchObject({
      code: 'not_connected',
      status: 404,
      message: 'detail of not_connected',
    });
  });

  it('never lets the headers override the session token', async () => {
    browser.fetch.answer(found());
    await getMyConnection({ baseUrl: gatewayUrl, token, headers: { authorization: 'Bearer someone-else' } });
    expect(browser.fetch.calls[0]!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("reads an answer that is not a problem (a proxy's error page) as internal_error with its status", async () => {
    browser.fetch.answer({ status: 502, text: '<html>Bad Gateway</html>' });
    expect(await failureOf(deleteMyConnection({ baseUrl: gatewayUrl, token }))).toMatchObject({ code: 'internal_error', status: 502 });
  });

  it('rejects with network_error when the gateway cannot be reached', async () => {
    browser.fetch.answer(new TypeError('Failed to fetch'));
    expect((await failureOf(getMyConnection({ baseUrl: gatewayUrl, token }))).code).toBe('network_error');
  });

  it('passes an abort through as it is', async () => {
    const controller = new AbortController();
    controller.abort();
    browser.fetch.answer(new DOMException('aborted', 'AbortError'));
    const error = await getMyConnection({ baseUrl: gatewayUrl, token, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
  });

  it('keeps a problem code it does not know out of the error', async () => {
    browser.fetch.answer({ ...problem('rate_limited', 429), body: { code: 'made_up', status: 429 } });
    expect((await failureOf(getMyConnection({ baseUrl: gatewayUrl, token }))).code).toBe('internal_error');
  });
});

describe('against the Prism mock of gateway.yaml', () => {
  const prism = usePrism('gateway');

  it('reads the example connection', async () => {
    const mine = await getMyConnection({ baseUrl: prism.url, token: 'demo-session-token' });
    expect(mine).toMatchObject({ id: '4514327a-fb47-471b-a0b3-4f1f2300723a', end_user_id: 'user_42', status: 'connected' });
  });

  it.each([
    ['not_connected', 404],
    ['unauthorized', 401],
    ['rate_limited', 429],
  ] as const)('turns the %s example into a typed error', async (code, status) => {
    const headers = { prefer: `code=${status}, example=${code}` };
    expect(await failureOf(getMyConnection({ baseUrl: prism.url, token: 'demo-session-token', headers }))).toMatchObject({ code, status });
  });

  it('disconnects, and reads recall_unavailable from the 503 example', async () => {
    expect(await deleteMyConnection({ baseUrl: prism.url, token: 'demo-session-token' })).toBeUndefined();
    const headers = { prefer: 'code=503, example=recall_unavailable' };
    expect((await failureOf(deleteMyConnection({ baseUrl: prism.url, token: 'demo-session-token', headers }))).code).toBe('recall_unavailable');
  });
});
