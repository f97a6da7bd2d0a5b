// readRedirectResult: return_to's query after a redirect flow, as a result or a typed error, and a clean
// address bar afterwards.
import { describe, expect, it } from 'vitest';
import { readRedirectResult, ZoomConnectError } from '../../src/client/index.js';
import { appUrl, useFakeBrowser } from './fake-browser.js';

const browser = useFakeBrowser();
const connectionId = '4514327a-fb47-471b-a0b3-4f1f2300723a';

function arriveAt(url: string): void {
  browser.window.location.href = url;
}

function errorFrom(read: () => unknown): ZoomConnectError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ZoomConnectError);
    return error as ZoomConnectError;
  }
  throw new Error('expected readRedirectResult to throw');
}

describe('the current address', () => {
  it('returns null and leaves the address alone when there is no result', () => {
    arriveAt(`${appUrl}?tab=integrations`);
    expect(readRedirectResult()).toBeNull();
    expect(browser.window.replaced).toEqual([]);
  });

  it('returns the connection id of a success and removes only the result parameters from the address bar', () => {
    arriveAt(`${appUrl}?tab=integrations&zoom_connect=connected&connection_id=${connectionId}#zoom`);
    expect(readRedirectResult()).toEqual({ id: connectionId });
    expect(browser.window.replaced).toEqual([`${appUrl}?tab=integrations#zoom`]);
    expect(browser.window.history.state).toEqual({ app: 'state' });
  });

  it('throws the spec code of a failure (access_denied), and cleans the address bar too', () => {
    arriveAt(`${appUrl}?zoom_connect=error&error=access_denied`);
    expect(errorFrom(() => readRedirectResult())).toMatchObject({ name: 'ZoomConnectError', code: 'access_denied' });
    expect(browser.window.replaced).toEqual([appUrl]);
  });

  it.each(['state_expired', 'recall_unavailable', 'session_used'])('throws %s as it came', (code) => {
    arriveAt(`${appUrl}?zoom_connect=error&error=${code}`);
    expect(errorFrom(() => readRedirectResult()).code).toBe(code);
  });

  it('never repeats a code the spec does not define: anyone can write a URL', () => {
    arriveAt(`${appUrl}?zoom_connect=error&error=%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    expect(errorFrom(() => readRedirectResult()).code).toBe('internal_error');
  });

  it('throws invalid_request for a result it cannot read', () => {
    arriveAt(`${appUrl}?zoom_connect=connected`);
    expect(errorFrom(() => readRedirectResult()).code).toBe('invalid_request');
    arriveAt(`${appUrl}?zoom_connect=maybe`);
    expect(errorFrom(() => readRedirectResult()).code).toBe('invalid_request');
  });

  it('reads a second time as nothing, so a reload does not show the result again', () => {
    arriveAt(`${appUrl}?zoom_connect=connected&connection_id=${connectionId}`);
    expect(readRedirectResult()).toEqual({ id: connectionId });
    expect(readRedirectResult()).toBeNull();
  });
});

it('reads a URL it is given, and leaves the address bar alone when that is not the current address', () => {
  arriveAt(appUrl);
  expect(readRedirectResult(`https://app.example.com/other?zoom_connect=connected&connection_id=${connectionId}`)).toEqual({ id: connectionId });
  expect(errorFrom(() => readRedirectResult(new URL(`${appUrl}?zoom_connect=error&error=zoom_error`))).code).toBe('zoom_error');
  expect(browser.window.replaced).toEqual([]);
  expect(browser.window.location.href).toBe(appUrl);
});
