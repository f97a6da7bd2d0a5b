// Two rules every API answer keeps, whichever route: an identifier (end_user_id, in a body or a query filter)
// with a control character or an unpaired surrogate is refused with 400 invalid_request naming the field, before
// anything is stored (PostgreSQL refuses a NUL where SQLite would store it; both mangle a lone surrogate); and
// every answer that carries a token or a connection is Cache-Control: no-store.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret as hashOf } from '../../src/connect/secrets.js';
import { testApiKey, useGateway, type TestGateway } from '../support/gateway.js';
import { saveConnection } from '../support/store-changes.js';

const auth = { authorization: `Bearer ${testApiKey}` };

/** Identifiers no back end can store as sent: control characters... */
const controls: [string, string][] = [
  ['a NUL', 'user\u0000_42'],
  ['a tab', 'user\t42'],
  ['a newline', 'user_42\n'],
  ['an escape (terminal control)', '\u001b[31muser'],
  ['DEL', 'user\u007f'],
  ['a C1 control', 'user\u0085'],
];
/** ...and unpaired surrogates, which only JSON can carry (a URL's percent-encoding is UTF-8, which has none). */
const surrogates: [string, string][] = [
  ['an unpaired high surrogate', 'user_\ud83d'],
  ['an unpaired low surrogate', '\ude00user'],
  ['two high surrogates', 'user\ud83d\ud83d'],
];
const refused = [...controls, ...surrogates];

/** Identifiers that are fine: any other text. */
const accepted: [string, string][] = [
  ['an emoji (a surrogate pair)', 'user_😀'],
  ['accents and CJK', 'usér_名前'],
  ['spaces and punctuation', 'ACME Corp / user #42'],
  ['a right-to-left mark (a format character, not a control)', 'user\u200f42'],
];

const createSession = (gateway: TestGateway, endUserId: string) =>
  gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: auth, payload: { end_user_id: endUserId } });

const listByEndUser = (gateway: TestGateway, endUserId: string) =>
  gateway.request({ method: 'GET', url: `/v1/connections?end_user_id=${encodeURIComponent(endUserId)}`, headers: auth });

describe('identifiers', () => {
  const gateway = useGateway();

  it.each(refused)('refuses an end_user_id with %s in a new connect session: 400 invalid_request naming body.end_user_id', async (_what, id) => {
    const response = await createSession(gateway, id);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'body.end_user_id', message: expect.stringContaining('control characters') }],
    });
  });

  it.each(controls)('refuses an end_user_id filter with %s: 400 invalid_request naming query.end_user_id', async (_what, id) => {
    const response = await listByEndUser(gateway, id);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [{ path: 'query.end_user_id' }] });
  });

  it('takes a surrogate percent-encoded in a query filter as the text it is (not UTF-8, so never decoded)', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connections?end_user_id=user_%ED%A0%BD', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: [], next_cursor: null });
  });

  it('stores nothing for a refused end_user_id', async () => {
    for (const [, id] of refused) await createSession(gateway, id);
    expect(await gateway.store.purgeExpired('2099-01-01T00:00:00.000Z', 0)).toEqual({ sessions: 0, flows: 0 });
  });

  it.each(accepted)('accepts %s, and the session is stored for exactly that end user', async (_what, id) => {
    const response = await createSession(gateway, id);
    expect(response.statusCode).toBe(201);
    expect((await gateway.store.findSessionByToken(hashOf(response.json<{ token: string }>().token)))?.endUserId).toBe(id);
    expect((await listByEndUser(gateway, id)).statusCode).toBe(200);
  });
});

describe('Cache-Control: no-store on every answer that carries a token or a connection', () => {
  const gateway = useGateway();

  async function aConnection(): Promise<string> {
    const saved = await saveConnection(gateway.store, {
      newConnectionId: randomUUID(),
      endUserId: 'user_42',
      credential: { id: randomUUID(), status: 'healthy', userId: 'zoom-user', accountId: null, meetingSyncStatus: 'completed' },
      appKind: gateway.appKind,
      replacesCredentialIds: [],
      now: gateway.clock.now.toISOString(),
    });
    return saved.connection.id;
  }

  it('POST /v1/connect-sessions (the session token)', async () => {
    const response = await createSession(gateway, 'user_42');
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['GET /v1/connections', (_id: string) => ({ method: 'GET' as const, url: '/v1/connections' })],
    ['GET /v1/connections/{id}', (id: string) => ({ method: 'GET' as const, url: `/v1/connections/${id}` })],
    ['POST /v1/connections/{id}/refresh', (id: string) => ({ method: 'POST' as const, url: `/v1/connections/${id}/refresh` })],
  ])('%s (a connection)', async (_name, request) => {
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const response = await gateway.request({ ...request(await aConnection()), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('GET /v1/me/connection (the end user connection)', async () => {
    await aConnection();
    const { token } = (await createSession(gateway, 'user_42')).json<{ token: string }>();
    const response = await gateway.request({ method: 'GET', url: '/v1/me/connection', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
