// Tag `docs`: Swagger UI at /docs and the spec at /openapi.json, both from openapi/gateway.yaml as written
// (static mode: nothing is derived from the routes, so the docs are the contract itself), but for `servers`:
// the file names the local default (http://127.0.0.1:3000), and Swagger UI's "Try it out" calls the first
// server, so on any other port or host every try would fail (CSP connect-src 'self', and no CORS). A running
// gateway names itself, its PUBLIC_URL.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import path from 'node:path';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { packageRoot } from '../package-root.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const gatewaySpecPath = path.join(packageRoot, 'openapi/gateway.yaml');

// On plain http (local development, demo mode) upgrade-insecure-requests makes Safari fetch Swagger UI's own
// assets over https, which fails: the page stays blank.
const withoutUpgrade = (csp: string) => csp.replace(/\s*upgrade-insecure-requests;?/, '');

export const docsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  await app.register(swagger, {
    mode: 'static',
    specification: {
      path: gatewaySpecPath,
      baseDir: path.dirname(gatewaySpecPath),
      postProcessor: (document) => ({ ...document, servers: [{ url: deps.config.publicUrl, description: 'This gateway (its PUBLIC_URL)' }] }),
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    ...(deps.config.secureCookies ? {} : { transformStaticCSP: withoutUpgrade }),
    // BaseLayout: no top bar. Its Swagger logo is an SVG with an inline <style>, which the CSP refuses (an error
    // in every visitor's console), and its "Explore" box loads any other document into this page.
    uiConfig: { deepLinking: true, layout: 'BaseLayout' },
  });

  const handlers: Pick<RouteHandlers, 'getOpenApiDocument'> = {
    async getOpenApiDocument(_request, reply) {
      return reply.code(200).send(app.swagger() as Record<string, unknown>);
    },
  };
  app.get<OperationTypes<'getOpenApiDocument'>>('/openapi.json', handlers.getOpenApiDocument);
};
