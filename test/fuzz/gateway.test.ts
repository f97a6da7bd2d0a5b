// fast-check over every operation of gateway.yaml, against the real app (buildApp, the real Recall client on the
// stateful fake Recall), once on SQLite and once on PostgreSQL: inputs from the generated zod schemas and raw
// mutations of strings, headers, query strings and bodies (identifiers with control characters and unpaired
// surrogates included, which the two databases would store differently). Every answer must keep answer-rules.ts:
// no 5xx, every 4xx a problem+json (or the flow's page) with a code from the spec's enum, and what gateway.yaml
// documents. At least 2,000 cases per run on each database; FUZZ_RUNS_FACTOR=10 runs ten times as many.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zGetConnectionPath, zLaunchConnectQuery } from '../../generated/gateway/zod.gen.js';
import { appOrigin, testApiKey } from '../support/gateway.js';
import { freshDatabase, type FreshDatabase } from '../support/postgres.js';
import { loadSpec, operations } from '../support/spec.js';
import { connectFlow, CookieJar, startFlow, type FlowPlan } from '../faults/browser.js';
import { startGateway, type GatewayUnderTest } from '../faults/gateway-under-test.js';
import { answerViolations } from './answer-rules.js';
import {
  acceptHeader,
  authorization,
  encodeText,
  callbackQuery,
  extraHeaders,
  headerText,
  identifierText,
  idSegment,
  launchOrigin,
  listQuery,
  mutated,
  queryString,
  rawUrlText,
  refreshQuery,
  sessionBody,
  withQuery,
  type FuzzRequest,
  type Pools,
} from './request-arbitraries.js';
import { arbitraryOf, queryArbitraryOf } from './zod-arbitrary.js';

const factor = Number(process.env.FUZZ_RUNS_FACTOR ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * factor));
const MIN_CASES = 2000;

let gateway: GatewayUnderTest;
const pools: Pools = { apiKey: testApiKey, tokens: [], launchCodes: [], connectionIds: [], cursors: [] };
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const casesPerOperation = new Map<string, number>();

async function send(operation: string, request: FuzzRequest): Promise<void> {
  casesPerOperation.set(operation, (casesPerOperation.get(operation) ?? 0) + 1);
  const response = await gateway.app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  const violations = answerViolations(request.method, request.url, response);
  expect(
    violations,
    `${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${request.payload?.slice(0, 200) ?? ''}`,
  ).toEqual([]);
}

const plan = (n: number): FlowPlan => ({
  endUserId: `fuzz_user_${n}`,
  identity: { userId: `zoom-user-${n}`, accountId: `zoom-account-${n % 3}` },
  apiKey: testApiKey,
  returnTo: `${appOrigin}/settings`,
});

/** A new gateway on `databaseUrl`, and the pools of live secrets filled from it. */
async function setUp(databaseUrl: string): Promise<void> {
  for (const pool of [pools.tokens, pools.launchCodes, pools.connectionIds, pools.cursors]) pool.length = 0;
  casesPerOperation.clear();
  gateway = await startGateway({ recallTimeoutMs: 2000, databaseUrl });
  for (let n = 0; n < 6; n++) {
    const end = await connectFlow(gateway.send, gateway.zoom, plan(n));
    if (end.result !== 'connected') throw new Error(`setup flow ${n}: ${JSON.stringify(end)}`);
    pools.connectionIds.push(end.connectionId);
  }
  for (let n = 0; n < 6; n++) {
    const session = await gateway.send({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { authorization: `Bearer ${testApiKey}` },
      body: { end_user_id: `fuzz_user_${n}` },
    });
    const { token, connect_url: connectUrl } = JSON.parse(session.body) as { token: string; connect_url: string };
    pools.tokens.push(token);
    pools.launchCodes.push(new URL(connectUrl).searchParams.get('launch')!);
  }
  const page = await gateway.send({ method: 'GET', url: '/v1/connections?limit=1', headers: { authorization: `Bearer ${testApiKey}` } });
  pools.cursors.push((JSON.parse(page.body) as { next_cursor: string }).next_cursor);
}

beforeAll(() => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
});

afterAll(() => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

const apiKeyAuth = () => authorization(fc.constant(testApiKey), pools);
const sessionAuth = () => authorization(fc.constantFrom(...pools.tokens), pools);
const headers = (...parts: Record<string, string>[]) => Object.assign({}, ...parts) as Record<string, string>;

interface Fuzzed {
  runs: number;
  /** Built when the test runs: the arbitraries draw from the pools of live secrets. */
  property: () => fc.IAsyncProperty<[unknown]>;
}

/** One property per operationId of gateway.yaml; the suite checks that none is missing. */
const properties = new Map<string, Fuzzed>();

function operation<T>(operationId: string, count: number, arbitrary: () => fc.Arbitrary<T>, run: (value: T) => Promise<void>) {
  properties.set(operationId, {
    runs: count,
    property: () => fc.asyncProperty(arbitrary() as fc.Arbitrary<unknown>, run as (value: unknown) => Promise<void>),
  });
}

operation(
  'createConnectSession',
  runs(300),
  () => fc.tuple(apiKeyAuth(), sessionBody, acceptHeader, extraHeaders),
  ([auth, body, accept, extra]) =>
    send('createConnectSession', {
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: headers(extra, accept, auth, body.contentType === undefined ? {} : { 'content-type': body.contentType }),
      payload: body.payload,
    }),
);

const launchQuery = () =>
  queryString(
    fc.oneof(
      queryArbitraryOf(zLaunchConnectQuery),
      fc.constantFrom(...pools.launchCodes).map((launch) => ({ launch })),
      mutated(fc.constantFrom(...pools.launchCodes)).map((launch) => ({ launch })),
      fc.constant({}),
    ),
  );

/** The launch form's body: empty (the usual), the launch field, other fields, junk; and its content type. */
const launchForm = () =>
  fc.record({
    payload: fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.constantFrom(...pools.launchCodes).map((launch) => new URLSearchParams({ launch }).toString()) },
      { weight: 1, arbitrary: mutated(fc.constant('launch=x&launch=y&__proto__=z')) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)) },
    ),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: fc.constantFrom('multipart/form-data; boundary=x', 'text/plain', 'application/json') },
      { weight: 1, arbitrary: headerText },
    ),
  });

operation(
  'launchConnect',
  runs(200),
  () => fc.tuple(launchQuery(), launchForm(), fc.boolean(), launchOrigin, acceptHeader, extraHeaders),
  async ([query, form, fresh, origin, accept, extra]) => {
    // A launch code never used yet, now and then, so the launch really starts flows under fuzzed headers.
    const url = fresh ? await freshConnectUrl() : withQuery('/v1/connect/zoom', query);
    await send('launchConnect', {
      method: 'POST',
      url,
      headers: headers(extra, accept, { 'content-type': form.contentType }, origin === undefined ? {} : { origin }),
      payload: form.payload,
    });
  },
);

operation(
  'openConnectUrl',
  runs(100),
  () => fc.tuple(fc.boolean(), launchQuery(), acceptHeader, extraHeaders),
  async ([fresh, query, accept, extra]) => {
    const url = fresh ? await freshConnectUrl() : withQuery('/v1/connect/zoom', query);
    await send('openConnectUrl', { method: 'GET', url, headers: headers(extra, accept) });
  },
);

async function freshConnectUrl(body: Record<string, unknown> = {}): Promise<string> {
  const session = await gateway.send({
    method: 'POST',
    url: '/v1/connect-sessions',
    headers: { authorization: `Bearer ${testApiKey}` },
    body: { end_user_id: 'fuzz_user_fresh', ...body },
  });
  const connectUrl = new URL((JSON.parse(session.body) as { connect_url: string }).connect_url);
  return `${connectUrl.pathname}${connectUrl.search}`;
}

operation(
  'connectCallback',
  runs(300),
  () =>
    fc.record({
      flow: fc.constantFrom('valid code', 'any code', 'declined', 'no flow'),
      mode: fc.constantFrom('redirect', 'popup', 'no return_to'),
      cookie: fc.constantFrom('right', 'right', 'none', 'wrong value', 'junk'),
      keepState: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      query: callbackQuery,
      extras: queryString(fc.constant({})),
      junk: headerText,
      accept: acceptHeader,
      extra: extraHeaders,
      user: fc.nat({ max: 20 }),
    }),
  async (recipe) => {
    const query: Record<string, string> = { ...recipe.query };
    const cookies: string[] = [];
    if (recipe.flow !== 'no flow') {
      const session = recipe.mode === 'redirect' ? {} : recipe.mode === 'popup' ? { mode: 'popup' } : { return_to: undefined };
      const flowPlan = { ...plan(recipe.user), session };
      const jar = new CookieJar();
      const started = await startFlow(gateway.send, flowPlan, jar);
      if ('result' in started) throw new Error(`fuzz setup: ${JSON.stringify(started)}`);
      const authorized = gateway.zoom.authorize(started.authorizeUrl, flowPlan.identity);
      if (recipe.keepState) query.state = authorized.state;
      if (recipe.flow === 'valid code') query.code = authorized.code;
      if (recipe.flow === 'declined') query.error = 'access_denied';
      const [name, value] = (jar.header().cookie ?? '=').split('=') as [string, string];
      if (recipe.cookie === 'right') cookies.push(`${name}=${value}`);
      if (recipe.cookie === 'wrong value') cookies.push(`${name}=${value.slice(1)}A`);
    }
    if (recipe.cookie === 'junk') cookies.push(recipe.junk);
    if (recipe.extra.cookie !== undefined) cookies.push(recipe.extra.cookie);
    const search = [new URLSearchParams(query).toString(), recipe.extras].filter(Boolean).join('&');
    await send('connectCallback', {
      method: 'GET',
      url: withQuery('/v1/connect/zoom/callback', search),
      headers: headers(recipe.extra, recipe.accept, cookies.length > 0 ? { cookie: cookies.join('; ') } : {}),
    });
  },
);

operation(
  'listConnections',
  runs(200),
  () =>
    fc.tuple(
      queryString(
        fc.oneof(
          listQuery,
          identifierText.map((endUserId) => ({ end_user_id: endUserId })),
          fc.tuple(listQuery, fc.constantFrom(...pools.cursors)).map(([q, cursor]) => ({ ...q, cursor })),
          fc.tuple(listQuery, mutated(fc.constantFrom(...pools.cursors))).map(([q, cursor]) => ({ ...q, cursor })),
        ),
      ),
      apiKeyAuth(),
      extraHeaders,
    ),
  ([query, auth, extra]) => send('listConnections', { method: 'GET', url: withQuery('/v1/connections', query), headers: headers(extra, auth) }),
);

for (const [operationId, method, suffix] of [
  ['getConnection', 'GET', ''],
  ['deleteConnection', 'DELETE', ''],
  ['refreshConnection', 'POST', '/refresh'],
] as const) {
  operation(
    operationId,
    runs(operationId === 'deleteConnection' ? 100 : 120),
    () =>
      fc.tuple(
        fc.oneof(
          idSegment(pools),
          (arbitraryOf(zGetConnectionPath) as fc.Arbitrary<{ id: string }>).map(({ id }) => id),
        ),
        queryString(suffix ? refreshQuery : fc.constant({})),
        apiKeyAuth(),
        extraHeaders,
        fc.option(
          fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
          { nil: undefined },
        ),
      ),
    ([id, query, auth, extra, payload]) =>
      send(operationId, {
        method,
        url: withQuery(`/v1/connections/${id}${suffix}`, query),
        headers: headers(extra, auth, payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(payload === undefined || method === 'GET' ? {} : { payload }),
      }),
  );
}

for (const [operationId, method, path] of [
  ['getMySession', 'GET', '/v1/me/session'],
  ['getMyConnection', 'GET', '/v1/me/connection'],
  ['deleteMyConnection', 'DELETE', '/v1/me/connection'],
] as const) {
  operation(
    operationId,
    runs(operationId === 'deleteMyConnection' ? 100 : 120),
    () =>
      fc.tuple(
        sessionAuth(),
        queryString(fc.constant({})),
        fc.option(fc.constantFrom(appOrigin, 'https://evil.com', 'null'), { nil: undefined }),
        extraHeaders,
      ),
    ([auth, query, origin, extra]) =>
      send(operationId, { method, url: withQuery(path, query), headers: headers(extra, auth, origin ? { origin } : {}) }),
  );
}

for (const [operationId, path] of [
  ['getHealthz', '/healthz'],
  ['getReadyz', '/readyz'],
  ['getOpenApiDocument', '/openapi.json'],
  ['getApiDocs', '/docs'],
  ['getMetrics', '/metrics'],
] as const) {
  operation(
    operationId,
    runs(50),
    () => fc.tuple(queryString(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 12 }), { maxKeys: 3 })), acceptHeader, extraHeaders),
    ([query, accept, extra]) => send(operationId, { method: 'GET', url: withQuery(path, query), headers: headers(extra, accept) }),
  );
}

const knownPaths = [
  '/v1/connect-sessions',
  '/v1/connect/zoom',
  '/v1/connect/zoom/callback',
  '/v1/connections',
  '/v1/connections/{id}',
  '/v1/connections/{id}/refresh',
  '/v1/me/connection',
  '/v1/me/session',
  '/healthz',
  '/readyz',
  '/openapi.json',
  '/docs',
  '/metrics',
  '/',
];

const backends: [string, () => Promise<{ url: string; drop?: () => Promise<void> }>][] = [
  ['SQLite', async () => ({ url: 'sqlite::memory:' })],
  ['PostgreSQL', async (): Promise<FreshDatabase> => freshDatabase()],
];

describe.each(backends)('fuzzing every operation of gateway.yaml on %s', (_backend, database) => {
  let opened: { url: string; drop?: () => Promise<void> } | undefined;

  beforeAll(async () => {
    opened = await database();
    await setUp(opened.url);
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await opened?.drop?.();
  }, 60_000);

  it('has a property for every operation, and nothing else', () => {
    const ids = operations(loadSpec('gateway')).map((op) => String(op.operation.operationId));
    expect([...properties.keys()].sort()).toEqual([...ids].sort());
  });

  it.each([...properties.keys()])('%s: no 5xx, every 4xx a problem with a code of the spec, every answer as documented', async (operationId) => {
    const { runs: numRuns, property } = properties.get(operationId)!;
    await fc.assert(property(), { numRuns });
  });

  it('keeps the rules for raw requests: any method, mutated paths, query strings, headers and bodies', async () => {
    const path = fc.oneof(
      fc.constantFrom(...knownPaths).map((p) => p.replace('{id}', pools.connectionIds[0]!)),
      // A mutation may bring what a request line cannot carry (whitespace, '#', '\\', non-ASCII): each segment is
      // percent-encoded as a client would, a raw '%' kept so broken encodings still get through.
      mutated(fc.constantFrom(...knownPaths)).map(
        (p) =>
          `/${(p.startsWith('/') ? p.slice(1) : p)
            .split('/')
            .map((segment) => encodeText(segment).replace(/%25/g, '%'))
            .join('/')}`,
      ),
      rawUrlText.map((text) => `/${text}`.replace(/[#]/g, '')),
      fc.constantFrom(
        '//v1/connections',
        '/v1/connections/',
        '/V1/CONNECTIONS',
        '/v1/connections/%',
        '/v1/me/connection/..',
        '/v1/connect/zoom/callback/',
        '/v1/connect/zoom;x',
        '/%2e%2e/healthz',
        '/docs/../openapi.json',
        '/v1/connections/%ZZ/refresh',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        path,
        queryString(
          fc.dictionary(fc.constantFrom('launch', 'state', 'code', 'limit', 'cursor', 'validate'), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
        ),
        fc.oneof(apiKeyAuth(), sessionAuth()),
        extraHeaders,
        fc.option(
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
            fc.string({ maxLength: 50 }),
          ),
          { nil: undefined },
        ),
        (method, rawPath, query, auth, extra, payload) => {
          const body = method === 'GET' || method === 'HEAD' ? undefined : payload;
          return send('raw', {
            method,
            url: withQuery(rawPath, query),
            headers: headers(extra, auth),
            ...(body === undefined ? {} : { payload: body }),
          });
        },
      ),
      { numRuns: runs(400) },
    );
  });

  it(`ran at least ${MIN_CASES} cases, with no crash`, () => {
    const total = [...casesPerOperation.values()].reduce((sum, count) => sum + count, 0);
    console.log(`fuzz: ${total} cases`, Object.fromEntries(casesPerOperation));
    expect(crashes).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(Math.min(MIN_CASES, MIN_CASES * factor));
  });
});
