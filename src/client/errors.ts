// One error type for every way connecting can fail, carrying a code the app can switch on: the gateway's
// ProblemCode (gateway.yaml) when the gateway said what went wrong, or a client code when the browser did.
import { ProblemCode } from '../../generated/gateway/types.gen.js';

/** Failures seen only by the browser: the popup never opened, was closed, or never answered. */
export type ClientErrorCode = 'popup_blocked' | 'window_closed' | 'timeout' | 'network_error';

export type ZoomConnectErrorCode = ProblemCode | ClientErrorCode;

// Every ProblemCode, from the spec (the generated enum object), so a code read from a URL (which anyone can
// write) is only ever one the spec defines.
const problemCodes: readonly string[] = Object.values(ProblemCode);

/** `value` when it is one of the spec's problem codes, else `fallback`. */
export const asProblemCode = (value: unknown, fallback: ProblemCode): ProblemCode =>
  problemCodes.includes(value as string) ? (value as ProblemCode) : fallback;

export class ZoomConnectError extends Error {
  override readonly name = 'ZoomConnectError';
  constructor(
    readonly code: ZoomConnectErrorCode,
    message: string = code,
    /** The HTTP status, when the gateway answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}
