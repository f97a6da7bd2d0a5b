// Tag `docs`: Swagger UI at /docs and the spec at /openapi.json, both from openapi/gateway.yaml as written
// (static mode: nothing is derived from the routes, so the docs are the contract itself), but for `servers`:
// the file names the local default (http://127.0.0.1:3000), and Swagger UI's "Try it out" calls the first
// server, so on any other port or host every try would fail (CSP connect-src 'self', and no CORS). A running
// gateway names itself, its PUBLIC_URL.
//
// Swagger UI (@fastify/swagger-ui, @fastify/static, yaml, the spec) is made on the first docs request, not at
// start: it lives in a Fastify instance of its own, built then, which /docs, /docs/* and /openapi.json are
// forwarded to (inject). Loading and registering it was ~100 ms of every start, for pages few starts serve.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import type { Config } from '../config.js';
import { packageRoot } from '../package-root.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const gatewaySpecPath = path.join(packageRoot, 'openapi/gateway.yaml');
// npm run build writes the same spec as JSON next to the compiled entry (scripts/build-server.ts's builtSpecName):
// parsing gateway.yaml's YAML was the slowest step of a start. From src/ (tsx, tests) there is none: the YAML is read.
const builtSpecPath = path.join(import.meta.dirname, 'gateway.openapi.json');

// On plain http (local development, demo mode) upgrade-insecure-requests makes Safari fetch Swagger UI's own
// assets over https, which fails: the page stays blank.
const withoutUpgrade = (csp: string) => csp.replace(/\s*upgrade-insecure-requests;?/, '');

/** Swagger UI and the spec, in an instance of their own (never listening: requests are injected). */
async function buildDocsApp(config: Config, log: FastifyInstance['log']): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const docs = Fastify({ loggerInstance: log, exposeHeadRoutes: false });
  await docs.register(swagger, {
    mode: 'static',
    specification: {
      path: existsSync(builtSpecPath) ? builtSpecPath : gatewaySpecPath,
      baseDir: path.dirname(gatewaySpecPath),
      postProcessor: (document) => ({ ...document, servers: [{ url: config.publicUrl, description: 'This gateway (its PUBLIC_URL)' }] }),
    },
  });
  await docs.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    ...(config.secureCookies ? {} : { transformStaticCSP: withoutUpgrade }),
    // BaseLayout: no top bar. Its Swagger logo is an SVG with an inline <style>, which the CSP refuses (an error
    // in every visitor's console), and its "Explore" box loads any other document into this page.
    uiConfig: { deepLinking: true, layout: 'BaseLayout' },
  });
  await docs.ready();
  return docs;
}

// Hop-by-hop headers of the injected answer are the outer server's own to set.
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);

export const docsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  let docsApp: Promise<FastifyInstance> | undefined;
  const docs = () => {
    docsApp ??= buildDocsApp(deps.config, app.log.child({ component: 'docs' })).catch((error: unknown) => {
      docsApp = undefined;
      throw error;
    });
    return docsApp;
  };
  app.addHook('onClose', async () => {
    if (docsApp) await (await docsApp.catch(() => undefined))?.close();
  });

  // Swagger UI's routes, as it answers them; what it does not have is the gateway's 404 (with Swagger UI's
  // Content-Security-Policy when it gave one, as under its static assets).
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (await docs()).inject({ method: 'GET', url: request.url, headers: request.headers });
    const csp = answer.headers['content-security-policy'];
    if (answer.statusCode === 404) return (csp === undefined ? reply : reply.header('content-security-policy', csp)).callNotFound();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !hopByHop.has(name)) reply.header(name, value);
    }
    // An empty answer (a redirect) stays one without a body, so without a Content-Type.
    return reply.code(answer.statusCode).send(answer.rawPayload.length > 0 ? answer.rawPayload : undefined);
  };
  app.get('/docs', forward);
  app.get('/docs/*', forward);

  const handlers: Pick<RouteHandlers, 'getOpenApiDocument'> = {
    async getOpenApiDocument(_request, reply) {
      return reply.code(200).send((await docs()).swagger() as Record<string, unknown>);
    },
  };
  app.get<OperationTypes<'getOpenApiDocument'>>('/openapi.json', handlers.getOpenApiDocument);
};
