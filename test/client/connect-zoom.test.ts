// connectZoom in a fake browser: the popup opens inside the click, the launch is a form POSTed to connect_url
// (into the popup, or from the page), only the gateway's own message counts, a success is confirmed by the
// server, and a close or a timeout asks the server before rejecting.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { connectZoom, ZoomConnectError } from '../../src/client/index.js';
import type { ConnectMode } from '../../generated/gateway/types.gen.js';
import { connection, connectUrl, found, gatewayUrl, mySession, notConnected, token, track, useFakeBrowser } from './fake-browser.js';

const browser = useFakeBrowser();
const resultMessage = { type: 'zoom-connect:result', ok: true, connection_id: connection().id, error: null };
const errorMessage = (error: string) => ({ type: 'zoom-connect:result', ok: false, connection_id: null, error });

beforeEach(() => {
  vi.useFakeTimers();
});

/** Lets pending promises and timers run (the fake clock moves by `ms`). */
const run = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

function errorOf(tracked: { state: string; error?: unknown }): ZoomConnectError {
  expect(tracked.state).toBe('rejected');
  expect(tracked.error).toBeInstanceOf(ZoomConnectError);
  return tracked.error as ZoomConnectError;
}

/** The launch form, as the gateway needs it: a POST to connect_url, into `target`, from a form in the page. */
const launchForm = (target: string, action = connectUrl) => ({ method: 'post', action, target, attached: true });

describe('opening the popup', () => {
  it('opens a named blank popup and posts the launch form into it synchronously, before the call returns', () => {
    browser.fetch.answer(notConnected());
    void connectZoom({ connectUrl, token });
    expect(browser.window.opened).toEqual([{ url: 'about:blank', target: 'zoom-connect', features: expect.stringContaining('popup') }]);
    expect(browser.document.submitted).toEqual([launchForm('zoom-connect')]);
    expect(browser.document.leftOver).toBe(0);
  });

  it('never navigates the popup to connect_url (a GET, which the gateway refuses)', async () => {
    browser.fetch.answer(notConnected());
    void connectZoom({ connectUrl, token });
    await run();
    expect(browser.window.opened.map((o) => o.url)).not.toContain(connectUrl);
    expect(browser.window.popup!.location.href).toBe('');
    expect(browser.window.assigned).toEqual([]);
  });

  it('with a session function: opens a blank popup at once, then asks for a popup session and posts its launch form into the popup', async () => {
    browser.fetch.answer(notConnected());
    const calls: { mode: ConnectMode; windowsOpen: number; formsSent: number }[] = [];
    void connectZoom({
      session: async (mode) => (
        calls.push({ mode, windowsOpen: browser.window.opened.length, formsSent: browser.document.submitted.length }),
        { connect_url: connectUrl, token }
      ),
    });
    expect(browser.window.opened.map((o) => o.url)).toEqual(['about:blank']);
    await run();
    expect(calls).toEqual([{ mode: 'popup', windowsOpen: 1, formsSent: 0 }]);
    expect(browser.document.submitted).toEqual([launchForm('zoom-connect')]);
  });

  it("closes the popup and rejects with the session function's error when it fails", async () => {
    const failure = new Error('the backend is down');
    const result = track(connectZoom({ session: () => Promise.reject(failure) }));
    await run();
    expect(result).toMatchObject({ state: 'rejected', error: failure });
    expect(browser.window.popup!.closed).toBe(true);
  });
});

describe("the popup's message", () => {
  it('resolves with the connection read from GET /v1/me/connection after a success message', async () => {
    browser.fetch.answer(notConnected(), found());
    const result = track(connectZoom({ connectUrl, token }));
    await run();
    browser.window.post(resultMessage);
    await run();
    expect(result).toEqual({ state: 'resolved', value: connection() });
    expect(browser.fetch.calls.at(-1)).toMatchObject({
      url: `${gatewayUrl}/v1/me/connection`,
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(browser.window.messageListeners).toBe(0);
  });

  it("rejects with the spec's code when the popup reports an error (access_denied)", async () => {
    browser.fetch.answer(notConnected());
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.post(errorMessage('access_denied'));
    await run();
    expect(errorOf(result).code).toBe('access_denied');
  });

  it('turns a code the spec does not define into internal_error', async () => {
    browser.fetch.answer(notConnected());
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.post(errorMessage('<img src=x onerror=alert(1)>'));
    await run();
    expect(errorOf(result).code).toBe('internal_error');
  });

  it('ignores messages from another origin, from another window and of another type', async () => {
    browser.fetch.answer(notConnected(), found());
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.post(errorMessage('access_denied'), 'https://evil.example.com');
    browser.window.post(errorMessage('access_denied'), 'https://connect.example.com:8443');
    browser.window.post(errorMessage('access_denied'), gatewayUrl, { another: 'window' });
    browser.window.post({ ...errorMessage('access_denied'), type: 'other-sdk:result' });
    browser.window.post('zoom-connect:result');
    browser.window.post(null);
    await run();
    expect(result.state).toBe('pending');
    browser.window.post(resultMessage);
    await run();
    expect(result.state).toBe('resolved');
  });

  it("rejects with the server's code when the success cannot be confirmed", async () => {
    browser.fetch.answer(notConnected(), notConnected());
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.post(resultMessage);
    await run();
    expect(errorOf(result)).toMatchObject({ code: 'not_connected', status: 404 });
  });

  it('takes the gateway origin and base path from connect_url', async () => {
    const base = 'https://example.com/zoom-gateway';
    browser.fetch.answer(notConnected(), found());
    const result = track(connectZoom({ connectUrl: `${base}/v1/connect/zoom?launch=x`, token }));
    browser.window.post(resultMessage, 'https://example.com');
    await run();
    expect(result.state).toBe('resolved');
    expect(browser.fetch.calls.map((c) => c.url)).toEqual([`${base}/v1/me/session`, `${base}/v1/me/connection`]);
  });
});

describe('what it asks the gateway', () => {
  it('reads the connection before and after through GET /v1/me/session, whose "none" is a 200 (no 404 in the console)', async () => {
    browser.fetch.answer(mySession(null));
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.popup!.closed = true;
    await run(1000);
    expect(errorOf(result).code).toBe('window_closed');
    expect(browser.fetch.calls.map((c) => `${c.method} ${c.url}`)).toEqual([`GET ${gatewayUrl}/v1/me/session`, `GET ${gatewayUrl}/v1/me/session`]);
  });
});

describe('a popup closed without a message', () => {
  it('rejects with window_closed when the server has no connection', async () => {
    browser.fetch.answer(notConnected());
    const result = track(connectZoom({ connectUrl, token }));
    await run(1000);
    expect(result.state).toBe('pending');
    browser.window.popup!.closed = true;
    await run(1000);
    expect(errorOf(result).code).toBe('window_closed');
    expect(browser.fetch.calls).toHaveLength(2);
    expect(browser.window.messageListeners).toBe(0);
  });

  it('resolves when the server shows a connection made since the popup opened', async () => {
    const made = connection({ updated_at: '2026-11-29T10:01:00.000Z' });
    browser.fetch.answer(mySession(null), mySession(made));
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.popup!.closed = true;
    await run(1000);
    expect(result).toEqual({ state: 'resolved', value: made });
  });

  it('resolves when an existing connection was renewed since the popup opened (a reconnect)', async () => {
    browser.fetch.answer(mySession(connection()), mySession(connection({ updated_at: '2026-11-29T10:05:00.000Z' })));
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.popup!.closed = true;
    await run(1000);
    expect(result.state).toBe('resolved');
  });

  it('rejects with window_closed when the connection is the one from before (an abandoned reconnect)', async () => {
    browser.fetch.answer(mySession(connection()));
    const result = track(connectZoom({ connectUrl, token }));
    browser.window.popup!.closed = true;
    await run(1000);
    expect(errorOf(result).code).toBe('window_closed');
  });

  it('still takes the message that arrives while the server is being asked', async () => {
    let answerTruth: (response: Response) => void = () => {};
    browser.fetch.answer(notConnected());
    const result = track(connectZoom({ connectUrl, token }));
    await run();
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => (answerTruth = resolve)));
    browser.window.popup!.closed = true;
    await run(1000);
    browser.window.post(errorMessage('access_denied'));
    await run();
    expect(errorOf(result).code).toBe('access_denied');
    answerTruth({ ok: false, status: 404, json: async () => ({ code: 'not_connected' }) } as Response);
    await run();
    expect(errorOf(result).code).toBe('access_denied');
  });
});

describe('a popup that never answers', () => {
  it('closes the popup after timeoutMs and rejects with timeout when the server has no connection', async () => {
    browser.fetch.answer(notConnected());
    const result = track(connectZoom({ connectUrl, token, timeoutMs: 60_000 }));
    await run(59_000);
    expect(result.state).toBe('pending');
    await run(1000);
    expect(browser.window.popup!.closed).toBe(true);
    expect(errorOf(result).code).toBe('timeout');
  });

  it('resolves after the timeout when the server shows the new connection', async () => {
    browser.fetch.answer(mySession(null), mySession(connection()));
    const result = track(connectZoom({ connectUrl, token, timeoutMs: 10_000 }));
    await run(10_000);
    expect(result).toEqual({ state: 'resolved', value: connection() });
  });

  it('waits five minutes by default', async () => {
    browser.fetch.answer(notConnected());
    const result = track(connectZoom({ connectUrl, token }));
    // The popup's state stays unknown (open) the whole time.
    await run(299_000);
    expect(result.state).toBe('pending');
    await run(1000);
    expect(errorOf(result).code).toBe('timeout');
  });
});

describe('redirect', () => {
  it('falls back to a full redirect when the browser blocks the popup, with a session made for redirect mode', async () => {
    browser.window.popup = null;
    const modes: ConnectMode[] = [];
    const redirectUrl = `${gatewayUrl}/v1/connect/zoom?launch=redirect-session`;
    const result = track(connectZoom({ session: async (mode) => (modes.push(mode), { connect_url: redirectUrl, token }) }));
    await run(10 * 60_000);
    expect(modes).toEqual(['redirect']);
    expect(browser.document.submitted).toEqual([launchForm('_self', redirectUrl)]);
    expect(result.state).toBe('pending');
  });

  it('falls back to posting the given connect_url from this page', async () => {
    browser.window.popup = null;
    void connectZoom({ connectUrl, token });
    await run();
    expect(browser.document.submitted).toEqual([launchForm('_self')]);
  });

  it('rejects with popup_blocked instead when redirectFallback is false', async () => {
    browser.window.popup = null;
    const result = track(connectZoom({ connectUrl, token, redirectFallback: false }));
    await run();
    expect(errorOf(result).code).toBe('popup_blocked');
    expect(browser.document.submitted).toEqual([]);
  });

  it('in redirect mode opens no window and posts the launch form from this page', async () => {
    const result = track(connectZoom({ connectUrl, token, mode: 'redirect' }));
    await run();
    expect(browser.window.opened).toEqual([]);
    expect(browser.document.submitted).toEqual([launchForm('_self')]);
    expect(browser.window.assigned).toEqual([]);
    expect(result.state).toBe('pending');
    expect(browser.fetch.calls).toEqual([]);
  });
});

it('reports an unreachable gateway as network_error', async () => {
  browser.fetch.answer(new TypeError('Failed to fetch'));
  const result = track(connectZoom({ connectUrl, token }));
  browser.window.post(resultMessage);
  await run();
  expect(errorOf(result).code).toBe('network_error');
});
