// Requests for the fuzz suite: values the generated zod schemas accept (zod-arbitrary.ts), the real secrets of
// live sessions and flows (so the deep paths run: a valid launch code, a valid state with its cookie), and raw
// mutations of all of them: strings, headers, query strings and bodies as an attacker or a broken client sends.
import fc from 'fast-check';
import { zConnectCallbackQuery, zCreateConnectSessionBody, zListConnectionsQuery, zRefreshConnectionQuery } from '../../generated/gateway/zod.gen.js';
import { arbitraryOf, queryArbitraryOf } from './zod-arbitrary.js';

export interface FuzzRequest {
  method: string;
  /** Path and query, as sent on the request line. */
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Secrets of live sessions and connections, filled in as the suite runs. */
export interface Pools {
  apiKey: string;
  tokens: string[];
  launchCodes: string[];
  connectionIds: string[];
  cursors: string[];
}

const char = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCharCode(code));

/** What an HTTP header value can carry: visible ASCII, space, tab and obs-text (0x80-0xFF). */
export const headerText = fc.string({ unit: fc.oneof(char(0x20, 0x7e), char(0x80, 0xff), fc.constant('\t')), maxLength: 60 });

/**
 * What a request line can carry unencoded: visible ASCII (no space). Left out: '#' (a client never sends it) and
 * '\\' (light-my-request resolves the URL with the WHATWG parser, which reads '/\\' as a scheme-relative URL and
 * throws before the gateway sees anything; over a socket the gateway answers it, see found-by-fuzzing.test.ts).
 */
const urlChar = char(0x21, 0x7e).filter((c) => c !== '#' && c !== '\\');
export const rawUrlText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: urlChar },
    { weight: 1, arbitrary: fc.constantFrom('%', '%2F', '%00', '%ZZ', '%E0%A4', '%C0%AF', '..', '//') },
  ),
  maxLength: 40,
});

/** encodeURIComponent, which throws on a lone surrogate: those become U+FFFD first, as a browser would send them. */
export const encodeText = (text: string) =>
  encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

const oddText = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u202e',
  '\ud800',
  '🙂',
  '%',
  '%25',
  '%00',
  '..',
  '../',
  '\\',
  '"',
  "'",
  '<script>',
  '__proto__',
  'null',
  'undefined',
  '[]',
  '{}',
  '-1',
  '1e309',
  'NaN',
);

/** Classic mutations of a string: cut, grown, a character swapped, re-encoded, blown up, or made odd. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(base, fc.nat({ max: 1000 }), fc.string({ maxLength: 4 }), oddText, fc.integer({ min: 0, max: 9 }))
    .map(([text, at, noise, odd, how]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      switch (how) {
        case 0:
          return text.slice(0, i);
        case 1:
          return `${text}${noise}`;
        case 2:
          return `${text.slice(0, i)}${noise.slice(0, 1) || 'x'}${text.slice(i + 1)}`;
        case 3:
          return encodeText(text);
        case 4:
          return text.toUpperCase();
        case 5:
          return text.repeat(2 + (at % 300));
        case 6:
          return `${text.slice(0, i)}${odd}${text.slice(i)}`;
        case 7:
          return odd;
        case 8:
          return `${text} ${text}`;
        default:
          return `${noise}${text}`;
      }
    });
}

/** A query string from parameters, sometimes with repeated, unknown, array-style or badly encoded parts added. */
export function queryString(parameters: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<string> {
  const extra = fc.oneof(
    fc
      .tuple(
        fc.constantFrom(
          'limit',
          'cursor',
          'state',
          'code',
          'launch',
          'validate',
          'status',
          'end_user_id',
          'error',
          '__proto__',
          'constructor[prototype]',
          'x[]',
        ),
        rawUrlText,
      )
      .map(([k, v]) => `${k}=${v}`),
    rawUrlText,
  );
  return fc.tuple(parameters, fc.array(extra, { maxLength: 3 }), fc.boolean()).map(([values, extras, plainOnly]) => {
    const encoded = new URLSearchParams(values).toString();
    return [encoded, ...(plainOnly ? [] : extras)].filter(Boolean).join('&');
  });
}

export const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

/** An Authorization header: the right bearer (as given), another kind of bearer, or junk; or none. */
export function authorization(right: fc.Arbitrary<string>, pools: Pools): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { weight: 5, arbitrary: right.map((secret) => ({ authorization: `Bearer ${secret}` })) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...[pools.apiKey, ...pools.tokens.slice(0, 2)]).map((secret) => ({ authorization: `Bearer ${secret}` })),
    },
    { weight: 1, arbitrary: mutated(right).map((secret) => ({ authorization: `Bearer ${secret}` })) },
    { weight: 1, arbitrary: headerText.map((text) => ({ authorization: text })) },
    { weight: 1, arbitrary: right.map((secret) => ({ authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}` })) },
  );
}

/** Headers a client may add: the usual ones with odd values, a cookie, an origin, junk. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'accept',
          'content-type',
          'cookie',
          'origin',
          'x-forwarded-for',
          'prefer',
          'accept-encoding',
          'if-none-match',
          'range',
          'x-request-id',
          'access-control-request-method',
        ),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      ),
      fc.oneof(headerText, fc.constantFrom('application/json', 'text/html', '*/*', 'zcg-flow-x=y', 'https://app.example.com', 'null', 'gzip, br')),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => Object.fromEntries(pairs.filter(([name]) => name !== 'content-length' && name !== 'host' && name !== 'transfer-encoding')));

export const acceptHeader = fc.oneof(
  fc.constant({}),
  fc.constantFrom('application/json', 'application/problem+json', 'text/html', 'text/html,application/json', '*/*').map((accept) => ({ accept })),
  headerText.map((accept) => ({ accept })),
);

/**
 * An identifier (end_user_id) as a broken or hostile client sends it: ordinary text mixed with control characters
 * (C0, DEL, C1), unpaired surrogates, surrogate pairs and format characters. PostgreSQL refuses a NUL and both
 * databases mangle an unpaired surrogate, so these must be refused before any store sees them.
 */
export const identifierText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: char(0x61, 0x7a) },
    { weight: 1, arbitrary: char(0x00, 0x1f) },
    { weight: 1, arbitrary: fc.constantFrom('\u007f', '\u0085', '\u009f', '\u200f', '\u202e', '\ufeff', '🙂') },
    { weight: 1, arbitrary: char(0xd800, 0xdfff) },
  ),
  minLength: 1,
  maxLength: 12,
});

/** The Origin of a launch: the app's (allowed), another allowed one, another site, null, none, or junk. */
export const launchOrigin: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('https://app.example.com', 'https://other.example.com') },
  { weight: 2, arbitrary: fc.constantFrom('https://evil.example.net', 'http://app.example.com', 'https://app.example.com:8443', 'null') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: headerText },
);

const allowedReturnTo = fc.constantFrom('https://app.example.com/settings', 'https://other.example.com/', 'HTTPS://APP.EXAMPLE.COM/a?b=c#d');

/** POST /v1/connect-sessions bodies: valid ones (from the schema), other JSON, broken JSON, nothing. */
export const sessionBody: fc.Arbitrary<{ payload: string; contentType: string | undefined }> = fc.record({
  payload: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          arbitraryOf(zCreateConnectSessionBody) as fc.Arbitrary<Record<string, unknown>>,
          fc.option(allowedReturnTo, { nil: undefined }),
          fc.boolean(),
        )
        .map(([body, returnTo, keep]) => JSON.stringify(keep || returnTo === undefined ? body : { ...body, return_to: returnTo })),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.constantFrom('end_user_id', 'return_to', 'mode', '__proto__', 'constructor', 'extra'), fc.jsonValue({ maxDepth: 2 }))
        .map((value) => JSON.stringify(value)),
    },
    { weight: 1, arbitrary: mutated(fc.constant('{"end_user_id":"user_1","return_to":"https://app.example.com/x","mode":"popup"}')) },
    { weight: 2, arbitrary: identifierText.map((endUserId) => JSON.stringify({ end_user_id: endUserId })) },
    { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '"text"', '{', '{"end_user_id":"a"}{}', `{"end_user_id":"${'a'.repeat(20_000)}"}`) },
  ),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/merge-patch+json',
        'multipart/form-data; boundary=x',
        undefined,
      ),
    },
    { weight: 1, arbitrary: headerText },
  ),
});

export const callbackQuery = queryArbitraryOf(zConnectCallbackQuery);
export const listQuery = queryArbitraryOf(zListConnectionsQuery);
export const refreshQuery = queryArbitraryOf(zRefreshConnectionQuery);

/** A path segment for {id}: a real id, a UUID, or something else entirely. */
export function idSegment(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...pools.connectionIds) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: mutated(fc.constantFrom(...pools.connectionIds)).map(encodeText) },
    { weight: 1, arbitrary: rawUrlText.filter((text) => text.length > 0 && !text.includes('/') && !text.includes('?')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%2F',
        '..',
        '%2e%2e',
        'a'.repeat(200),
        '00000000-0000-0000-0000-000000000000',
        'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
      ),
    },
  );
}
