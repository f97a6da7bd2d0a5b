import type { Config } from '../config.js';

interface FixedPart {
  /** The configuration it was made from: a configuration changed in place makes it again. */
  from: Pick<Config['zoom'], 'authorizeUrl' | 'clientId' | 'redirectUri'>;
  /** ZOOM_AUTHORIZE_URL and its query up to `state`: the same for every flow. */
  prefix: string;
  /** The authorize URL's origin: who issues the code (stored with each flow). */
  issuer: string;
}

// Made once per configuration rather than for every flow (a URL parse and five encodings a launch).
const fixedParts = new WeakMap<Config['zoom'], FixedPart>();

function fixedPart(zoom: Config['zoom']): FixedPart {
  const known = fixedParts.get(zoom);
  if (
    known &&
    known.from.authorizeUrl === zoom.authorizeUrl &&
    known.from.clientId === zoom.clientId &&
    known.from.redirectUri === zoom.redirectUri
  ) {
    return known;
  }
  const query = [
    ['response_type', 'code'],
    ['client_id', zoom.clientId],
    ['redirect_uri', zoom.redirectUri],
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value!)}`)
    .join('&');
  // ZOOM_AUTHORIZE_URL may have a query of its own, possibly ending in '?' or '&' already.
  const base = zoom.authorizeUrl;
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  const made: FixedPart = {
    from: { authorizeUrl: zoom.authorizeUrl, clientId: zoom.clientId, redirectUri: zoom.redirectUri },
    prefix: `${base}${separator}${query}`,
    issuer: new URL(base).origin,
  };
  fixedParts.set(zoom, made);
  return made;
}

/**
 * Zoom's authorize URL. redirect_uri is the configured string, percent-encoded as it is: never parsed and
 * re-serialized through URL, which may add a trailing slash and so break Zoom's exact match
 * ("Invalid redirect") and Recall's token exchange ("Invalid Grant").
 */
export function buildAuthorizeUrl(config: Config, flow: { state: string; codeChallenge: string | null }): string {
  const url = `${fixedPart(config.zoom).prefix}&state=${encodeURIComponent(flow.state)}`;
  // No challenge with ZOOM_PKCE=off: then Recall gets no verifier either.
  return flow.codeChallenge === null ? url : `${url}&code_challenge=${encodeURIComponent(flow.codeChallenge)}&code_challenge_method=S256`;
}

/** The origin of ZOOM_AUTHORIZE_URL: the issuer a flow's code comes from. */
export const authorizeIssuer = (config: Config): string => fixedPart(config.zoom).issuer;
