import type { Config } from '../config.js';

/**
 * Zoom's authorize URL. redirect_uri is the configured string, percent-encoded as it is: never parsed and
 * re-serialized through URL, which may add a trailing slash and so break Zoom's exact match
 * ("Invalid redirect") and Recall's token exchange ("Invalid Grant").
 */
export function buildAuthorizeUrl(config: Config, flow: { state: string; codeChallenge: string | null }): string {
  const query = [
    ['response_type', 'code'],
    ['client_id', config.zoom.clientId],
    ['redirect_uri', config.zoom.redirectUri],
    ['state', flow.state],
    // No challenge with ZOOM_PKCE=off: then Recall gets no verifier either.
    ...(flow.codeChallenge === null
      ? []
      : [
          ['code_challenge', flow.codeChallenge],
          ['code_challenge_method', 'S256'],
        ]),
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value!)}`)
    .join('&');
  // ZOOM_AUTHORIZE_URL may have a query of its own, possibly ending in '?' or '&' already.
  const base = config.zoom.authorizeUrl;
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return `${base}${separator}${query}`;
}
