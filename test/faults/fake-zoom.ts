// Zoom's authorize page and token exchange, reduced to what the gateway relies on: a single-use code bound to the
// flow's PKCE challenge and redirect URI. The fake Recall exchanges codes here, as Recall does with Zoom.
import { createHash, randomBytes } from 'node:crypto';

export interface ZoomIdentity {
  userId: string;
  accountId: string;
}

export interface IssuedCode {
  identity: ZoomIdentity;
  challenge: string;
  redirectUri: string;
  spent: boolean;
}

/** Zoom's authorize page, reduced to what the gateway relies on: a code bound to the flow's PKCE challenge. */
export class FakeZoom {
  private readonly codes = new Map<string, IssuedCode>();

  /** The user signs in as `identity` and allows: the code and state the browser brings back to the callback. */
  authorize(authorizeUrl: string, identity: ZoomIdentity): { code: string; state: string } {
    const url = new URL(authorizeUrl);
    const get = (name: string) => {
      const value = url.searchParams.get(name);
      if (value === null) throw new Error(`FakeZoom: the authorize URL has no ${name}`);
      return value;
    };
    if (get('response_type') !== 'code' || get('code_challenge_method') !== 'S256') throw new Error('FakeZoom: not a PKCE S256 code request');
    const code = `zc_${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, { identity, challenge: get('code_challenge'), redirectUri: get('redirect_uri'), spent: false });
    return { code, state: get('state') };
  }

  /** The token exchange Recall makes: the identity, or why Zoom refuses the code. */
  exchange(code: string, verifier: string, redirectUri: string): IssuedCode | 'invalid_grant' {
    const issued = this.codes.get(code);
    if (!issued || issued.spent) return 'invalid_grant';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== issued.challenge || redirectUri !== issued.redirectUri) return 'invalid_grant';
    return issued;
  }

  /** Every code issued, and whether Recall spent it. */
  get issued(): IssuedCode[] {
    return [...this.codes.values()];
  }
}
