// Swagger UI at /docs in Chromium, as an API consumer uses it on a gateway that is not on the spec file's
// http://127.0.0.1:3000: authorize with the API key, "Try it out" on POST /v1/connect-sessions with its default
// example, Execute. The served document names this gateway (its PUBLIC_URL), so the call goes to it: 201, and
// nothing in the console (no CSP violation, no CORS failure).
import { describe, expect, it } from 'vitest';
import { useChromium } from './chromium.js';
import { useDemoProcess } from './demo-process.js';

describe("Swagger UI's Try it out, on a gateway on another port", { timeout: 60_000 }, () => {
  const gateway = useDemoProcess();
  const chromium = useChromium();

  it('creates a connect session with the default example: 201, and no error in the console', async () => {
    expect(new URL(gateway.base).port).not.toBe('3000');
    const { page } = await chromium.newTab();
    const console: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') console.push(`${message.type()}: ${message.text()}`);
    });
    const calls: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') calls.push(request.url());
    });

    await page.goto(`${gateway.base}/docs`);
    await page.waitForSelector('.swagger-ui .opblock');
    await page.click('.swagger-ui button.authorize');
    await page.fill('.auth-container input', gateway.apiKey);
    await page.click('.auth-container button.authorize');
    await page.click('.auth-container ~ .auth-btn-wrapper button.btn-done, .modal-ux button.btn-done');

    const operation = page.locator('#operations-connect-sessions-createConnectSession');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();

    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor();
    expect((await status.first().textContent())?.trim()).toBe('201');
    expect(calls).toEqual([`${gateway.base}/v1/connect-sessions`]);
    expect(await operation.locator('.live-responses-table .microlight').first().textContent()).toContain(`${gateway.base}/v1/connect/zoom?launch=`);
    expect(console).toEqual([]);
  });
});
