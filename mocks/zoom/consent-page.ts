// A stand-in for https://zoom.us/oauth/authorize: checks the authorize request the way Zoom does (client id,
// exact redirect URI, PKCE S256), then shows a consent page with Allow and Deny. Allow sends the browser
// to the redirect URI with a fresh code and the state; Deny with error=access_denied and the state.
import type { FastifyPluginAsync } from 'fastify';
import { randomBytes } from 'node:crypto';

export interface ZoomMockOptions {
  path: string;
  clientId: string;
  redirectUri: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const withQuery = (uri: string, query: Record<string, string>) => `${uri}${uri.includes('?') ? '&' : '?'}${new URLSearchParams(query).toString()}`;

export const zoomConsentPage: FastifyPluginAsync<ZoomMockOptions> = async (app, options) => {
  app.get<{ Querystring: Record<string, string | undefined> }>(options.path, async (request, reply) => {
    const q = request.query;
    const problems = [
      q.response_type !== 'code' && 'response_type must be code',
      q.client_id !== options.clientId && 'unknown client_id',
      q.redirect_uri !== options.redirectUri && 'Invalid redirect: redirect_uri does not match the registered one exactly',
      !q.state && 'state missing',
      (!q.code_challenge || q.code_challenge_method !== 'S256') && 'PKCE S256 required',
    ].filter(Boolean);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    if (problems.length > 0) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><title>Zoom (mock): error</title><h1>Zoom (mock)</h1><p>${problems.map((p) => escapeHtml(String(p))).join('<br>')}</p>`,
        );
    }
    const allow = withQuery(options.redirectUri, { code: randomBytes(18).toString('base64url'), state: q.state! });
    const deny = withQuery(options.redirectUri, { error: 'access_denied', state: q.state! });
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zoom (mock): authorize app</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:30rem;margin:4rem auto}a{display:inline-block;padding:.5rem 1rem;margin-right:1rem;border-radius:6px;text-decoration:none}#allow{background:#0b5cff;color:#fff}#deny{border:1px solid #999;color:#222}</style>
</head><body>
<h1>Zoom (mock)</h1>
<p>The app <code>${escapeHtml(options.clientId)}</code> asks to access your Zoom account.</p>
<p><a id="allow" href="${escapeHtml(allow)}">Allow</a><a id="deny" href="${escapeHtml(deny)}">Deny</a></p>
<p><small>This page stands in for zoom.us in demo mode and in tests.</small></p>
</body></html>`);
  });
};
