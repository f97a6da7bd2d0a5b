import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { demoEnv, useGateway } from '../support/gateway.js';
import { loadSpec, operations } from '../support/spec.js';

// Fastify lists no routes after the fact: wrap its factory so every app built in this file records the
// routes it registers (an onRoute hook added before any plugin).
const registered = vi.hoisted(() => ({ routes: [] as { method: string; url: string }[] }));
vi.mock('fastify', async (importOriginal) => {
  const original = await importOriginal<typeof import('fastify')>();
  const factory = ((options: Parameters<typeof original.default>[0]) => {
    const app = original.default(options) as unknown as FastifyInstance;
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.routes.push({ method: String(method), url: route.url });
    });
    return app;
  }) as typeof original.default;
  return { ...original, default: factory, fastify: factory };
});

/** Fastify's `/v1/connections/:id` as gateway.yaml writes it, `/v1/connections/{id}`. */
const asSpecPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

// Left out of the comparison, and only these: Swagger UI's own routes under /docs/ (its static assets and
// initializer, its index with a trailing slash, and the copies of the spec its page loads from /docs/json
// and /docs/yaml), and the CORS preflight OPTIONS routes @fastify/cors adds under /v1/me.
const isSwaggerUiRoute = (route: { url: string }) => route.url.startsWith('/docs/');
const isCorsPreflight = (route: { method: string; url: string }) => route.method === 'OPTIONS' && route.url.startsWith('/v1/me');
const demoOnly = [
  { method: 'GET', path: '/' },
  { method: 'POST', path: '/demo/connect-session' },
  { method: 'GET', path: '/demo/zoom/authorize' },
  { method: 'GET', path: '/demo/client.js' },
];

// Each test builds a new app (useGateway's beforeEach, which runs after this file-level one).
beforeEach(() => {
  registered.routes = [];
});

function routesOf(filter: (route: { method: string; url: string }) => boolean = () => true): string[] {
  return registered.routes
    .filter((route) => !isSwaggerUiRoute(route) && !isCorsPreflight(route) && filter(route))
    .map((route) => `${route.method} ${asSpecPath(route.url)}`)
    .sort();
}

const specOperations = (callbackPath: string) =>
  operations(loadSpec('gateway'))
    .map((op) => `${op.method.toUpperCase()} ${op.path === '/v1/connect/zoom/callback' ? callbackPath : op.path}`)
    .sort();

describe('routes vs gateway.yaml', () => {
  const gateway = useGateway();

  it('registers exactly the operations of gateway.yaml, one route each', () => {
    expect(gateway.app).toBeDefined();
    expect(routesOf()).toEqual(specOperations('/v1/connect/zoom/callback'));
  });

  it('registers CORS preflight routes under /v1/me only', () => {
    const preflights = registered.routes.filter((route) => route.method === 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(0);
    for (const route of preflights) expect(route.url).toMatch(/^\/v1\/me/);
  });
});

describe('routes vs gateway.yaml with another ZOOM_REDIRECT_URI', () => {
  const gateway = useGateway({ ZOOM_REDIRECT_URI: 'https://gateway.example.com/oauth/zoom/return' });

  it('serves the callback at the path of ZOOM_REDIRECT_URI, and nowhere else', () => {
    expect(gateway.config.zoom.callbackPath).toBe('/oauth/zoom/return');
    const routes = routesOf();
    expect(routes).toEqual(specOperations('/oauth/zoom/return'));
    expect(routes).not.toContain('GET /v1/connect/zoom/callback');
  });
});

describe('routes in demo mode', () => {
  const gateway = useGateway(demoEnv);

  it('adds the demo routes, and only them, in demo mode', () => {
    expect(gateway.config.demo).toBe(true);
    const demo = demoOnly.map((r) => `${r.method} ${r.path}`);
    expect(routesOf()).toEqual([...specOperations('/v1/connect/zoom/callback'), ...demo].sort());
  });
});

describe('demo routes outside demo mode', () => {
  const gateway = useGateway();

  it.each(demoOnly)('has no $method $path', async ({ method, path }) => {
    const response = await gateway.app.inject({ method: method as 'GET' | 'POST', url: path });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
  });
});
