// return_to decides where a browser is sent after the flow and which origin receives the popup's message,
// so it must never be an open redirector (RFC 9700 §4.11.1). The origin is taken with the WHATWG URL
// parser, the one browsers use, so what is checked is what the browser will do.
import { GatewayProblem } from './problems.js';

// Backslashes, whitespace and control characters are rewritten or dropped by URL parsers in ways people
// do not expect ("https://app.example.com\@evil.com"): refuse them outright.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const suspicious = /[\\\s\u0000-\u001f\u007f]/;

export function checkReturnTo(value: string, allowedOrigins: readonly string[]): string {
  const refuse = (why: string) => new GatewayProblem('return_to_not_allowed', `return_to ${why}; allowed origins: ${allowedOrigins.join(', ')}`);
  if (suspicious.test(value)) throw refuse('contains a backslash, whitespace or a control character');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('must be an absolute http(s) URL');
  if (url.username || url.password) throw refuse('must not carry user information');
  if (!allowedOrigins.includes(url.origin)) throw refuse(`has an origin (${url.origin}) that is not allowed`);
  return url.href;
}

/** return_to plus the flow's result parameters, replacing any the app put there itself. */
export function returnToWithResult(returnTo: string, result: Record<string, string>): string {
  const url = new URL(returnTo);
  for (const name of ['zoom_connect', 'connection_id', 'error']) url.searchParams.delete(name);
  for (const [name, value] of Object.entries(result)) url.searchParams.set(name, value);
  return url.href;
}
