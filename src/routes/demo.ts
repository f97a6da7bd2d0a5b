// Demo mode only (no RECALL_API_KEY): the stand-in Zoom consent page, a demo page at / with a Connect
// button, and a demo-only route that mints a connect session for it. None of this exists otherwise.
import type { FastifyPluginAsync } from 'fastify';
import { zoomConsentPage } from '../../mocks/zoom/consent-page.js';
import { demoZoomAuthorizePath } from '../config.js';
import { createConnectSession } from '../connect/sessions.js';
import { applyPageHeaders } from '../pages/page-headers.js';
import { renderDemoPage } from '../pages/demo-page.js';
import type { RouteOptions } from './route-deps.js';

export const demoEndUserId = 'demo-user';

export const demoRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const { config } = deps;
  await app.register(zoomConsentPage, { path: demoZoomAuthorizePath, clientId: config.zoom.clientId, redirectUri: config.zoom.redirectUri });

  app.get('/', async (_request, reply) => {
    const { nonce } = applyPageHeaders(reply);
    reply.header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    return reply.type('text/html; charset=utf-8').send(renderDemoPage(nonce));
  });

  app.post<{ Body: { mode?: 'redirect' | 'popup' } | undefined }>('/demo/connect-session', async (request, reply) => {
    const mode = request.body?.mode === 'popup' ? 'popup' : 'redirect';
    const session = await createConnectSession(deps, { end_user_id: demoEndUserId, mode, return_to: `${config.publicUrl}/` });
    return reply.code(201).header('cache-control', 'no-store').send(session);
  });
};
