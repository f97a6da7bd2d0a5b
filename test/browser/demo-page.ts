// The demo page as a person uses it, and what it shows: the status box, the connection id, the error.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Shown {
  state: string | null;
  connectionId: string;
  error: string | null;
}

export async function openDemo(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready=true]');
}

/** Waits until the status box is in `state` (a connection's status, or not_connected), then reads the page. */
export async function shown(page: Page, state: 'connected' | 'needs_reauth' | 'not_connected'): Promise<Shown> {
  await page.waitForSelector(`#status[data-state=${state}]`);
  const error = (await page.locator('#error').isVisible()) ? await page.textContent('#error-code') : null;
  return {
    state: await page.getAttribute('#status', 'data-state'),
    connectionId: (await page.textContent('#connection-id')) ?? '',
    error,
  };
}

/** Waits for the error box, then reads it. */
export async function shownError(page: Page): Promise<{ code: string; text: string }> {
  await page.waitForSelector('#error:not([hidden])');
  return { code: (await page.textContent('#error-code')) ?? '', text: (await page.textContent('#error-text')) ?? '' };
}

/** Connect (popup), then the given choice on the mock Zoom page in the popup; resolves once the popup is gone. */
export async function connectInPopup(page: Page, choice: 'allow' | 'deny'): Promise<void> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect-popup')]);
  await popup.waitForSelector(`#${choice}`);
  expect(new URL(popup.url()).pathname).toBe('/demo/zoom/authorize');
  const closed = popup.waitForEvent('close');
  await popup.click(`#${choice}`);
  await closed;
}

/** Connect (redirect), then the given choice on the mock Zoom page, in the same tab. */
export async function connectWithRedirect(page: Page, choice: 'allow' | 'deny'): Promise<void> {
  await page.click('#connect-redirect');
  await page.waitForURL(/\/demo\/zoom\/authorize\?/);
  await page.click(`#${choice}`);
  await page.waitForSelector('body[data-ready=true]');
}

export async function sessionToken(page: Page): Promise<string> {
  const token = await page.evaluate(() => sessionStorage.getItem('zcg-demo-token'));
  if (!token) throw new Error('the demo page holds no session token');
  return token;
}

/** What the page's console says (errors and warnings, a failed request among them), from now on. */
export function consoleOf(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') seen.push(`${message.type()}: ${message.text()}`);
  });
  return seen;
}

/** The connection as the status box shows it. */
export async function shownConnection(page: Page): Promise<{ text: string; zoom: string; status: string; since: string | null }> {
  await page.waitForSelector('#connection:not([hidden])');
  return {
    text: (await page.textContent('#status-text')) ?? '',
    zoom: (await page.textContent('#zoom-user')) ?? '',
    status: (await page.textContent('#connection-status')) ?? '',
    since: await page.getAttribute('#connection-since time', 'datetime'),
  };
}
