import { describe, expect, it } from 'vitest';
import { testApiKey, useGateway } from '../support/gateway.js';

describe('security headers (helmet)', () => {
  const gateway = useGateway();

  it.each([
    ['GET', '/healthz', {}],
    ['GET', '/v1/connections', { authorization: `Bearer ${testApiKey}` }],
    ['GET', '/v1/connections', {}],
  ] as const)('sets them on %s %s (%#)', async (method, url, headers) => {
    const response = await gateway.request({ method, url, headers });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('gives API answers a CSP that allows nothing and no framing', async () => {
    const response = await gateway.request({ method: 'GET', url: '/healthz' });
    expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('sets them on the not-found answer too', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/nowhere' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('leaves out Cross-Origin-Opener-Policy, so the popup result page keeps window.opener', async () => {
    const response = await gateway.request({ method: 'GET', url: '/healthz' });
    expect(response.headers['cross-origin-opener-policy']).toBeUndefined();
  });
});
