// Demo mode only (config.ts isDemo; loaded through src/demo/index.ts): the stand-in Zoom consent page, a demo page at / built on the package's
// ./client (served at /demo/client.js), and a demo-only route that mints a connect session for it. None of
// this exists otherwise.
import type { FastifyPluginAsync } from 'fastify';
import { zoomConsentPage } from '../../mocks/zoom/consent-page.js';
import { demoZoomAuthorizePath } from '../config.js';
import { createConnectSession } from '../connect/sessions.js';
import { applyPageHeaders } from '../pages/page-headers.js';
import type { RouteOptions } from '../routes/route-deps.js';
import { demoClientBundle } from './client-bundle.js';
import { renderDemoPage } from './demo-page.js';

export const demoEndUserId = 'demo-user';
export const demoClientPath = '/demo/client.js';

export const demoRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const { config } = deps;
  await app.register(zoomConsentPage, { path: demoZoomAuthorizePath, clientId: config.zoom.clientId, redirectUri: config.zoom.redirectUri });

  app.get('/', async (_request, reply) => {
    const { nonce } = applyPageHeaders(reply);
    // 'self' for the client module the page's script imports (not every browser passes the nonce on to imports),
    // and for the launch form the client submits to connect_url (the gateway, this origin in demo mode; Chromium
    // also checks form-action against the redirect to Zoom, the stand-in page here, on this origin too).
    reply.header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}' 'self'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    );
    // This page is the app's page here, the one that launches: with no-referrer (the flow pages' policy) the
    // browser would send its launch form with Origin: null, which the gateway refuses (launch_not_from_app).
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    return reply.type('text/html; charset=utf-8').send(renderDemoPage(nonce));
  });

  // Built on first use, once per process.
  let client: Promise<string> | undefined;
  app.get(demoClientPath, async (request, reply) => {
    client ??= demoClientBundle();
    try {
      const code = await client;
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(code);
    } catch (error) {
      client = undefined;
      request.log.error({ err: error }, 'the demo client could not be built');
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(error instanceof Error ? error.message : 'The demo client could not be built.');
    }
  });

  app.post<{ Body: { mode?: 'redirect' | 'popup' } | undefined }>('/demo/connect-session', async (request, reply) => {
    const mode = request.body?.mode === 'popup' ? 'popup' : 'redirect';
    const session = await createConnectSession(deps, { end_user_id: demoEndUserId, mode, return_to: `${config.publicUrl}/` });
    return reply.code(201).header('cache-control', 'no-store').send(session);
  });
};
