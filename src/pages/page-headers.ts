// Headers of every page the browser flow shows (RFC 9700 §4.2.4): not cached, no Referer leaking the
// callback URL, and a CSP that allows only the page's own inline script and style by nonce: no third-party
// resource can load, and nothing can frame the page.
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export function applyPageHeaders(reply: FastifyReply): { nonce: string } {
  const nonce = randomBytes(16).toString('base64');
  reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  return { nonce };
}

/** For redirects and problem+json answers of the flow: the same caching and referrer rules. */
export function applyFlowHeaders(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}
