// Headless Chromium from Debian's `chromium` package (or CHROMIUM_PATH), driven by playwright-core: one browser per test file,
// a fresh context (cookies, sessionStorage) per test, and a page that fails its test on an uncaught error.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { requireChromium } from '../support/prerequisites.js';

const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where screenshots go (test-results/ is git-ignored). */
export const screenshotDir = path.resolve(import.meta.dirname, '../../test-results/browser');

/** Generous for a shared 2-core machine: a wait fails only when something is really stuck. */
const waitTimeoutMs = 20_000;

export interface BrowserTab {
  context: BrowserContext;
  page: Page;
}

export function useChromium(): { newTab(): Promise<BrowserTab> } {
  let browser: Browser | undefined;
  const open: BrowserContext[] = [];
  let pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: requireChromium(),
      args: flags,
      // Playwright turns the popup blocker off; the blocked-popup scenario needs the browser's own.
      ignoreDefaultArgs: ['--disable-popup-blocking'],
      timeout: 60_000,
    });
  }, 90_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((context) => context.close()));
    const errors = pageErrors;
    pageErrors = [];
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    async newTab() {
      if (!browser) throw new Error('useChromium: the browser is not launched');
      const context = await browser.newContext();
      context.setDefaultTimeout(waitTimeoutMs);
      open.push(context);
      context.on('weberror', (error) => pageErrors.push(error.error().message));
      const page = await context.newPage();
      return { context, page };
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
