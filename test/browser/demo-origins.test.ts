// The demo with ALLOWED_RETURN_ORIGINS set as the README suggests for a frontend's dev server
// (http://127.0.0.1:3000,http://localhost:5173) while the gateway runs on another port: the demo page's own
// origin stays allowed in demo mode, so it connects in a popup and with a redirect.
import { beforeEach, describe, expect, it } from 'vitest';
import { demoEndUserId } from '../../src/demo/routes.js';
import { useChromium } from './chromium.js';
import { connectInPopup, connectWithRedirect, openDemo, shown } from './demo-page.js';
import { disconnectThroughApi, useDemoProcess } from './demo-process.js';

describe('the demo page with ALLOWED_RETURN_ORIGINS naming other origins', { timeout: 60_000 }, () => {
  const gateway = useDemoProcess({ ALLOWED_RETURN_ORIGINS: 'http://127.0.0.1:3000,http://localhost:5173' });
  const chromium = useChromium();

  beforeEach(async () => {
    await disconnectThroughApi(gateway, demoEndUserId);
  });

  it('connects in a popup', async () => {
    expect(new URL(gateway.base).port).not.toBe('3000');
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectInPopup(page, 'allow');
    const seen = await shown(page, 'connected');
    expect(seen.error).toBeNull();
    expect(await gateway.store.getConnectionByEndUser(demoEndUserId)).toMatchObject({ id: seen.connectionId, status: 'connected' });
  });

  it('connects with a redirect', async () => {
    const { page } = await chromium.newTab();
    await openDemo(page, gateway.base);
    await connectWithRedirect(page, 'allow');
    const seen = await shown(page, 'connected');
    expect(seen.error).toBeNull();
    expect(page.url()).toBe(`${gateway.base}/`);
  });
});
