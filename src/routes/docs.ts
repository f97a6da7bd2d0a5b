// Tag `docs`: Swagger UI at /docs and the spec at /openapi.json, both from openapi/gateway.yaml as written
// (static mode: nothing is derived from the routes, so the docs are the contract itself).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { packageRoot } from '../package-root.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const gatewaySpecPath = path.join(packageRoot, 'openapi/gateway.yaml');
// npm run build writes the same spec as JSON next to the compiled entry (scripts/build-server.ts's builtSpecName):
// parsing gateway.yaml's YAML was the slowest step of a start. From src/ (tsx, tests) there is none: the YAML is read.
const builtSpecPath = path.join(import.meta.dirname, 'gateway.openapi.json');

// On plain http (local development, demo mode) upgrade-insecure-requests makes Safari fetch Swagger UI's own
// assets over https, which fails: the page stays blank.
const withoutUpgrade = (csp: string) => csp.replace(/\s*upgrade-insecure-requests;?/, '');

export const docsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  await app.register(swagger, {
    mode: 'static',
    specification: { path: existsSync(builtSpecPath) ? builtSpecPath : gatewaySpecPath, baseDir: path.dirname(gatewaySpecPath) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    ...(deps.config.secureCookies ? {} : { transformStaticCSP: withoutUpgrade }),
    uiConfig: { deepLinking: true },
  });

  const handlers: Pick<RouteHandlers, 'getOpenApiDocument'> = {
    async getOpenApiDocument(_request, reply) {
      return reply.code(200).send(app.swagger() as Record<string, unknown>);
    },
  };
  app.get<OperationTypes<'getOpenApiDocument'>>('/openapi.json', handlers.getOpenApiDocument);
};
