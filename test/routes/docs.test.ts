import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { specPaths } from '../../mocks/prism.js';
import { useGateway } from '../support/gateway.js';

describe('docs', () => {
  const gateway = useGateway();

  it('serves Swagger UI at /docs as HTML', async () => {
    const response = await gateway.request({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
  });

  it('serves the Swagger UI assets the page loads', async () => {
    const page = await gateway.request({ method: 'GET', url: '/docs' });
    const scripts = [...page.body.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      // Static assets are Swagger UI's own routes, not operations of gateway.yaml: inject them directly.
      const asset = await gateway.app.inject({ method: 'GET', url: new URL(src, 'http://gateway.test/docs/').pathname });
      expect(asset.statusCode, src).toBe(200);
    }
  });

  it('serves openapi/gateway.yaml as written at /openapi.json, but for servers, which names this gateway', async () => {
    const response = await gateway.request({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const written = parse(readFileSync(specPaths.gateway, 'utf8')) as Record<string, unknown>;
    expect(written.servers).toEqual([expect.objectContaining({ url: 'http://127.0.0.1:3000' })]);
    expect(response.json()).toEqual({ ...written, servers: [{ url: 'https://gateway.example.com', description: 'This gateway (its PUBLIC_URL)' }] });
  });

  it('needs no API key for the docs', async () => {
    expect((await gateway.request({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
    expect((await gateway.request({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });
});

describe('the server the docs name', () => {
  const gateway = useGateway({
    PUBLIC_URL: 'http://127.0.0.1:4567',
    ZOOM_REDIRECT_URI: 'http://127.0.0.1:4567/v1/connect/zoom/callback',
  });

  it("is this gateway's PUBLIC_URL on a port other than the file's, in /openapi.json and in what Swagger UI loads", async () => {
    const served = (await gateway.request({ method: 'GET', url: '/openapi.json' })).json();
    expect(served.servers).toEqual([{ url: 'http://127.0.0.1:4567', description: 'This gateway (its PUBLIC_URL)' }]);
    // Swagger UI reads the document from its own route (/docs/json).
    const loaded = await gateway.app.inject({ method: 'GET', url: '/docs/json' });
    expect(loaded.json().servers).toEqual(served.servers);
  });
});

describe("Swagger UI's Content-Security-Policy", () => {
  describe('with an https PUBLIC_URL', () => {
    const gateway = useGateway();

    it("allows only the page's own scripts and upgrades insecure requests", async () => {
      const csp = String((await gateway.request({ method: 'GET', url: '/docs' })).headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'\s*;/);
      expect(csp).toContain('upgrade-insecure-requests');
    });
  });

  describe('with a plain http PUBLIC_URL (local development, demo mode)', () => {
    const gateway = useGateway({
      PUBLIC_URL: 'http://127.0.0.1:3000',
      ZOOM_REDIRECT_URI: 'http://127.0.0.1:3000/v1/connect/zoom/callback',
    });

    it('does not upgrade insecure requests, which would break the page on http', async () => {
      const csp = String((await gateway.request({ method: 'GET', url: '/docs' })).headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'\s*;/);
      expect(csp).not.toContain('upgrade-insecure-requests');
    });
  });
});
