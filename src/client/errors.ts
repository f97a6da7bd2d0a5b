// One error type for every way connecting can fail, carrying a code the app can switch on: the gateway's
// ProblemCode (gateway.yaml) when the gateway said what went wrong, or a client code when the browser did.
import type { ProblemCode } from '../../generated/gateway/types.gen.js';

/** Failures seen only by the browser: the popup never opened, was closed, or never answered. */
export type ClientErrorCode = 'popup_blocked' | 'window_closed' | 'timeout' | 'network_error';

export type ZoomConnectErrorCode = ProblemCode | ClientErrorCode;

// Every ProblemCode, checked against the generated union both ways, so a code read from a URL (which anyone
// can write) is only ever one the spec defines.
const problemCodeList =
  'invalid_request unauthorized not_found not_connected rate_limited return_to_not_allowed session_invalid session_expired session_used launch_not_from_app state_missing state_invalid state_expired state_reused state_cookie_missing state_mismatch access_denied zoom_error code_missing recall_invalid_grant recall_conflict_unresolved recall_unauthorized recall_forbidden recall_unavailable recall_rejected store_unavailable internal_error' as const;
type Words<S extends string> = S extends `${infer Head} ${infer Rest}` ? Head | Words<Rest> : S;
type Listed = Words<typeof problemCodeList>;
type Missing = Exclude<ProblemCode, Listed>;
type Unknown = Exclude<Listed, ProblemCode>;
// A compile error here names the codes to add to (missing) or remove from (unknown) the list.
const listMatchesSpec: [Missing, Unknown] extends [never, never] ? true : { missing: Missing; unknown: Unknown } = true;
void listMatchesSpec;
const problemCodes: readonly string[] = problemCodeList.split(' ');

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
