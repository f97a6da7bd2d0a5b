// The whole flow in headless Chromium: the demo page (built on ./client) of the real gateway process in demo
// mode, the mock Zoom page, the callback, and back. Each scenario checks what the page shows and what the
// store holds.
import type { CDPSession } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/connect/secrets.js';
import { demoEndUserId } from '../../src/demo/routes.js';
import { screenshot, useChromium } from './chromium.js';
import { connectInPopup, connectWithRedirect, consoleOf, openDemo, sessionToken, shown, shownConnection, shownError } from './demo-page.js';
import { disconnectThroughApi, useDemoProcess } from './demo-process.js';

// The Recall mock's default answer to a create (openapi/recall.yaml, example reauthorized_existing).
const demoCredentialId = 'e96244cc-23c8-43cf-b039-59b2526ab397';

describe('the demo page in Chromium, against the demo process', { timeout: 60_000 }, () => {
  const gateway = useDemoProcess();
  const chromium = useChromium();

  beforeEach(async () => {
    await disconnectThroughApi(gateway, demoEndUserId);
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toBeUndefined();
  });

  it('connects in a popup: Allow on the mock Zoom page, the page shows the connection the store holds', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    expect(await shown(page, 'not_connected')).toEqual({ state: 'not_connected', connectionId: '', error: null });

    await connectInPopup(page, 'allow');
    const seen = await shown(page, 'connected');
    await screenshot(page, 'connected');

    expect(seen.error).toBeNull();
    expect(await page.textContent('#status')).toContain('Zoom is connected (Zoom user 8rsd7e2S00SAsGowyy9GCQ)');
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toMatchObject({
      id: seen.connectionId,
      status: 'connected',
      recallCredentialId: demoCredentialId,
    });
    expect(page.url()).toBe(`${gateway.base}/`);
  });

  it('connects with a redirect: back on the page connected, the result gone from the address bar', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectWithRedirect(page, 'allow');
    const seen = await shown(page, 'connected');

    expect(seen.error).toBeNull();
    expect(page.url()).toBe(`${gateway.base}/`);
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toMatchObject({ id: seen.connectionId, status: 'connected' });
    expect((await gateway.store.findSessionByToken(hashSecret(await sessionToken(page))))?.mode).toBe('redirect');
  });

  it('shows access_denied when the user denies on the mock Zoom page in the popup, and stores nothing', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectInPopup(page, 'deny');

    expect(await shownError(page)).toMatchObject({ code: 'access_denied', text: expect.stringContaining('declined') });
    expect((await shown(page, 'not_connected')).error).toBe('access_denied');
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toBeUndefined();
  });

  it('shows access_denied when the user denies after a redirect, and cleans the address bar', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectWithRedirect(page, 'deny');

    expect((await shownError(page)).code).toBe('access_denied');
    expect((await shown(page, 'not_connected')).error).toBe('access_denied');
    expect(page.url()).toBe(`${gateway.base}/`);
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toBeUndefined();
  });

  it('disconnects: the page shows not connected and the store no longer holds the connection', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectInPopup(page, 'allow');
    const { connectionId } = await shown(page, 'connected');
    expect(await gateway.store.getConnection(connectionId)).toBeDefined();

    await page.click('#disconnect');
    expect(await shown(page, 'not_connected')).toEqual({ state: 'not_connected', connectionId: '', error: null });
    expect(await gateway.store.getConnection(connectionId)).toBeUndefined();
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toBeUndefined();
  });

  it('shows the connection: the Zoom user, its status and since when, beside the id the store holds', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectInPopup(page, 'allow');
    const { connectionId } = await shown(page, 'connected');
    const stored = await gateway.store.getConnectionByEndUser(demoEndUserId);
    expect(await shownConnection(page)).toEqual({
      text: 'Zoom is connected (Zoom user 8rsd7e2S00SAsGowyy9GCQ).',
      zoom: 'Zoom user 8rsd7e2S00SAsGowyy9GCQ',
      status: 'connected',
      since: stored!.createdAt,
    });
    expect(connectionId).toBe(stored!.id);
  });

  it('never shows "connected" beside a declined reconnect: the earlier connection is shown as unchanged', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectInPopup(page, 'allow');
    await shown(page, 'connected');

    await connectInPopup(page, 'deny');
    expect((await shownError(page)).code).toBe('access_denied');
    const after = await shownConnection(page);
    expect(after.text).toBe('Zoom was not connected again; your earlier connection is unchanged (Zoom user 8rsd7e2S00SAsGowyy9GCQ).');
    expect(after.text).not.toContain('is connected');
    expect(await page.textContent('#error')).not.toContain('is connected');
  });

  it('logs nothing to the console when nothing is connected: the page, a connect in a popup, a disconnect', async () => {
    const { page } = await chromium.newTab();
    const console = consoleOf(page);
    await openDemo(page, gateway.base);
    expect((await shown(page, 'not_connected')).state).toBe('not_connected');
    expect(await page.isDisabled('#disconnect')).toBe(true);
    await connectInPopup(page, 'allow');
    await shown(page, 'connected');
    await page.click('#disconnect');
    await shown(page, 'not_connected');
    expect(console).toEqual([]);
  });

  it("shows the gateway's code and detail when the page cannot get a connect session, and closes the popup", async () => {
    const { context, page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    const detail = "The gateway's database is not reachable right now; nothing was changed. Try again shortly.";
    await page.route('**/demo/connect-session', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'urn:zoom-connect-gateway:problem:store_unavailable',
          title: 'Store unavailable',
          status: 503,
          detail,
          code: 'store_unavailable',
        }),
      }),
    );
    const popupClosed = page.waitForEvent('popup').then((popup) => popup.waitForEvent('close'));
    await page.click('#connect-popup');
    expect(await shownError(page)).toMatchObject({ code: 'store_unavailable' });
    expect(await page.textContent('#error-detail')).toBe(detail);
    await popupClosed;
    expect(context.pages()).toHaveLength(1);
  });

  it('falls back to a redirect when the browser blocks the popup, and ends connected', async () => {
    const { context, page } = await chromium.newTab();
    const popups: unknown[] = [];
    page.on('popup', (popup) => popups.push(popup));
    // A click from a script without user activation: Chromium's own popup blocker refuses the window.open.
    // (Playwright's waits and clicks give the page user activation, so the page is awaited from CDP instead.)
    await page.goto(`${gateway.base}/`);
    const cdp: CDPSession = await context.newCDPSession(page);
    const clicked = await cdp.send('Runtime.evaluate', {
      expression: `new Promise((resolve) => {
        const go = () => document.body?.dataset.ready === 'true'
          ? resolve(navigator.userActivation.hasBeenActive || document.getElementById('connect-popup').click())
          : setTimeout(go, 25);
        go();
      })`,
      awaitPromise: true,
      userGesture: false,
      returnByValue: true,
    });
    expect(clicked.result.value, 'the page had user activation: the popup would not be blocked').toBeUndefined();

    await page.waitForURL(/\/demo\/zoom\/authorize\?/);
    await page.click('#allow');
    const seen = await shown(page, 'connected');

    expect(popups).toEqual([]);
    expect(context.pages()).toHaveLength(1);
    expect(page.url()).toBe(`${gateway.base}/`);
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toMatchObject({ id: seen.connectionId, status: 'connected' });
    expect((await gateway.store.findSessionByToken(hashSecret(await sessionToken(page))))?.mode).toBe('redirect');
  });
});
