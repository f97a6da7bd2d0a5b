// The app's identifiers (end_user_id) are free text, but not every text survives a database: PostgreSQL refuses
// a NUL byte (a 500, where SQLite stored it), and both turn an unpaired UTF-16 surrogate into U+FFFD, so what is
// stored is not what was sent. Refused up front, with the field named, the same on every back end.
import { GatewayProblem } from './problems.js';

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws invalid_request naming `path` (e.g. `body.end_user_id`) when `value` cannot be an identifier. */
export function checkIdentifier(value: string, path: string): void {
  if (!controlCharacter.test(value) && !unpairedSurrogate.test(value)) return;
  const message = 'must not contain control characters (U+0000 to U+001F, U+007F to U+009F) or unpaired surrogates';
  throw new GatewayProblem('invalid_request', `${path} ${message}`, [{ path, message }]);
}
