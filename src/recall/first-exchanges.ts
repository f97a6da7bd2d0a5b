// A gateway whose every code exchange fails is almost always misconfigured, not unlucky: Zoom answers
// invalid_grant when the redirect URI differs from the authorize request's by a single byte, and some Zoom apps
// refuse S256 challenges. When the first exchanges after start-up are all refused as invalid grants (and none
// has worked yet), the operator is told which settings to check, once.
import type { RecallLogger } from './retry.js';

/** How many refused exchanges in a row, from start-up, make the warning. */
export const FIRST_EXCHANGES = 3;

export type ExchangeOutcome = 'exchanged' | 'invalid_grant';

export class FirstExchangesWatch {
  #refused = 0;
  #settled = false;

  constructor(private readonly logger: RecallLogger | undefined) {}

  /**
   * One exchange Recall answered about the code: `exchanged` when Recall got the Zoom identity (a credential,
   * or a legacy conflict naming it), `invalid_grant` when Zoom refused the code. Other failures say nothing
   * about the settings and are not recorded.
   */
  record(outcome: ExchangeOutcome, exchange: { redirectUri: string; pkce: boolean }): void {
    if (this.#settled) return;
    if (outcome === 'exchanged') {
      this.#settled = true;
      return;
    }
    if (++this.#refused < FIRST_EXCHANGES) return;
    this.#settled = true;
    const pkce = exchange.pkce ? 'then try ZOOM_PKCE=off (some Zoom apps refuse S256 challenges; Recall needs no PKCE)' : 'ZOOM_PKCE is already off';
    this.logger?.warn(
      { invalidGrants: this.#refused, redirectUri: exchange.redirectUri, pkce: exchange.pkce ? 'S256' : 'off' },
      `The first ${this.#refused} authorization codes since start-up were all refused as invalid grants: check that ` +
        `ZOOM_REDIRECT_URI (${exchange.redirectUri}) is byte for byte the redirect URL registered in the Zoom app ` +
        `(scheme, host, port, path, trailing slash), ${pkce}.`,
    );
  }
}
