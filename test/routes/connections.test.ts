import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConnectionRecord, RecallStatus } from '../../src/store/store.js';
import { testApiKey, useGateway, type TestGateway } from '../support/gateway.js';
import { detachCredential, saveConnection } from '../support/store-changes.js';
import { CredentialDeletedError } from '../../src/store/store.js';

const auth = { authorization: `Bearer ${testApiKey}` };

interface Seed {
  endUserId?: string;
  credentialId?: string;
  status?: RecallStatus;
  /** Seconds after the test clock's start: connections are listed newest first by creation time. */
  createdAfterS?: number;
}

async function seedConnection(gateway: TestGateway, seed: Seed = {}): Promise<ConnectionRecord> {
  const saved = await saveConnection(gateway.store, {
    newConnectionId: randomUUID(),
    endUserId: seed.endUserId ?? `user_${randomUUID().slice(0, 8)}`,
    credential: {
      id: seed.credentialId ?? randomUUID(),
      status: seed.status ?? 'healthy',
      userId: `zoom_${randomUUID().slice(0, 8)}`,
      accountId: null,
      meetingSyncStatus: 'completed',
    },
    appKind: gateway.appKind,
    replacesCredentialIds: [],
    now: new Date(gateway.clock.now.getTime() + (seed.createdAfterS ?? 0) * 1000).toISOString(),
  });
  return saved.connection;
}

const listConnections = (gateway: TestGateway, query = '') => gateway.request({ method: 'GET', url: `/v1/connections${query}`, headers: auth });

describe('GET /v1/connections', () => {
  const gateway = useGateway();

  it('lists connections newest first', async () => {
    const older = await seedConnection(gateway, { createdAfterS: 0 });
    const newer = await seedConnection(gateway, { createdAfterS: 10 });
    const response = await listConnections(gateway);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [expect.objectContaining({ id: newer.id }), expect.objectContaining({ id: older.id })],
      next_cursor: null,
    });
  });

  it('filters by end_user_id', async () => {
    await seedConnection(gateway, { endUserId: 'user_a' });
    const mine = await seedConnection(gateway, { endUserId: 'user_b' });
    const response = await listConnections(gateway, '?end_user_id=user_b');
    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((c: { id: string }) => c.id)).toEqual([mine.id]);
  });

  it('filters by status', async () => {
    await seedConnection(gateway, { status: 'healthy' });
    const broken = await seedConnection(gateway, { status: 'unhealthy' });
    const response = await listConnections(gateway, '?status=needs_reauth');
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([expect.objectContaining({ id: broken.id, status: 'needs_reauth', recall_status: 'unhealthy' })]);
  });

  it('refuses an unknown status as invalid_request naming query.status', async () => {
    const response = await listConnections(gateway, '?status=broken');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'query.status' })] });
  });

  it('accepts limit 1 and limit 100', async () => {
    await seedConnection(gateway, { createdAfterS: 0 });
    await seedConnection(gateway, { createdAfterS: 1 });
    const one = await listConnections(gateway, '?limit=1');
    expect(one.statusCode).toBe(200);
    expect(one.json().items).toHaveLength(1);
    const hundred = await listConnections(gateway, '?limit=100');
    expect(hundred.statusCode).toBe(200);
    expect(hundred.json().items).toHaveLength(2);
  });

  it.each(['0', '101', 'abc', '1.5', '-1'])('refuses limit=%s as invalid_request naming query.limit', async (limit) => {
    const response = await listConnections(gateway, `?limit=${limit}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'query.limit' })] });
  });

  it('walks three pages with an opaque cursor, without gaps or duplicates', async () => {
    const seeded: ConnectionRecord[] = [];
    for (let i = 0; i < 7; i++) seeded.push(await seedConnection(gateway, { createdAfterS: i }));
    // Two rows with the same creation time: the keyset must still order them by id.
    seeded.push(await seedConnection(gateway, { createdAfterS: 3 }));

    const seen: string[] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await listConnections(gateway, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: { id: string }[]; next_cursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
      if (cursor) cursors.push(cursor);
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(new Set(seen)).toEqual(new Set(seeded.map((c) => c.id)));
    // Opaque: the cursor does not show the row's id in the clear.
    for (const c of cursors) for (const row of seeded) expect(c).not.toContain(row.id);
  });

  it('keeps the filters across pages', async () => {
    for (let i = 0; i < 3; i++) await seedConnection(gateway, { status: 'unhealthy', createdAfterS: i });
    for (let i = 0; i < 3; i++) await seedConnection(gateway, { status: 'healthy', createdAfterS: 10 + i });
    const first = (await listConnections(gateway, '?status=needs_reauth&limit=2')).json();
    const second = (await listConnections(gateway, `?status=needs_reauth&limit=2&cursor=${first.next_cursor}`)).json();
    expect([...first.items, ...second.items].map((c: { status: string }) => c.status)).toEqual(Array(3).fill('needs_reauth'));
    expect(second.next_cursor).toBeNull();
  });

  it.each([
    ['garbage', 'not-a-cursor!!'],
    ['base64 of something else', Buffer.from('{"a":1}').toString('base64url')],
    ['base64 of a wrong tuple', Buffer.from(JSON.stringify([1, 2])).toString('base64url')],
    ['a tuple of strings that are no position', Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')],
  ])('refuses a forged cursor (%s) as invalid_request', async (_name, cursor) => {
    const response = await listConnections(gateway, `?cursor=${encodeURIComponent(cursor)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'query.cursor' })] });
  });

  it('answers 401 unauthorized without an API key', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connections' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('answers a request without an API key 401 before it looks at the query', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connections?limit=0&cursor=forged' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });
});

describe('GET /v1/connections/{id}', () => {
  const gateway = useGateway();

  it('answers the connection as stored', async () => {
    const seeded = await seedConnection(gateway, { endUserId: 'user_42' });
    const response = await gateway.request({ method: 'GET', url: `/v1/connections/${seeded.id}`, headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: seeded.id,
      end_user_id: 'user_42',
      status: 'connected',
      recall_credential_id: seeded.recallCredentialId,
      recall_status: 'healthy',
      zoom_user_id: seeded.zoomUserId,
      zoom_account_id: null,
      meeting_sync_status: 'completed',
      created_at: seeded.createdAt,
      updated_at: seeded.updatedAt,
      last_checked_at: seeded.lastCheckedAt,
      reauth_reason: null,
    });
    expect(gateway.recall.calls).toEqual([]);
  });

  it('answers 404 not_found for an unknown id', async () => {
    const response = await gateway.request({ method: 'GET', url: `/v1/connections/${randomUUID()}`, headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
  });

  it('answers 400 invalid_request naming params.id for an id that is not a UUID', async () => {
    const response = await gateway.request({ method: 'GET', url: '/v1/connections/not-a-uuid', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'params.id' })] });
  });
});

describe('DELETE /v1/connections/{id}', () => {
  const gateway = useGateway();
  const deleteConnection = (id: string) => gateway.request({ method: 'DELETE', url: `/v1/connections/${id}`, headers: auth });

  it('deletes the Recall credential by its Recall id, then the row, and answers 204', async () => {
    const seeded = await seedConnection(gateway);
    const response = await deleteConnection(seeded.id);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(gateway.recall.calls.map((c) => [c.operation, c.path])).toEqual([
      ['delete', `/api/v2/zoom-oauth-credentials/${seeded.recallCredentialId}/`],
    ]);
    expect(await gateway.store.getConnection(seeded.id)).toBeUndefined();
  });

  it('counts a Recall 404 as already gone and deletes the row', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('delete', 'code=404');
    const response = await deleteConnection(seeded.id);
    expect(response.statusCode).toBe(204);
    expect(gateway.recall.calls.map((c) => c.operation)).toEqual(['delete']);
    expect(await gateway.store.getConnection(seeded.id)).toBeUndefined();
  });

  it('answers 503 recall_unavailable and keeps the row when Recall answers 503 every time', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('delete', ...Array(10).fill('code=503'));
    const response = await deleteConnection(seeded.id);
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('recall_unavailable');
    expect(gateway.recall.calls.every((c) => c.operation === 'delete')).toBe(true);
    expect(gateway.recall.calls.length).toBeGreaterThan(1);
    expect(await gateway.store.getConnection(seeded.id)).toEqual(seeded);
  });

  it('answers 502 recall_unauthorized and keeps the row when Recall refuses the API key', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('delete', 'code=401');
    const response = await deleteConnection(seeded.id);
    expect(response.statusCode).toBe(502);
    expect(response.json().code).toBe('recall_unauthorized');
    expect(await gateway.store.getConnection(seeded.id)).toEqual(seeded);
  });

  it('does not delete a credential another connection still uses, but deletes the row', async () => {
    const sharedCredential = randomUUID();
    const first = await seedConnection(gateway, { endUserId: 'user_a', credentialId: sharedCredential });
    const second = await seedConnection(gateway, { endUserId: 'user_b', credentialId: sharedCredential });
    const response = await deleteConnection(first.id);
    expect(response.statusCode).toBe(204);
    expect(gateway.recall.calls).toEqual([]);
    expect(await gateway.store.getConnection(first.id)).toBeUndefined();
    expect(await gateway.store.getConnection(second.id)).toMatchObject({ recallCredentialId: sharedCredential });
  });

  it('deletes the shared credential once its last connection goes', async () => {
    const sharedCredential = randomUUID();
    const first = await seedConnection(gateway, { endUserId: 'user_a', credentialId: sharedCredential });
    const second = await seedConnection(gateway, { endUserId: 'user_b', credentialId: sharedCredential });
    expect((await deleteConnection(first.id)).statusCode).toBe(204);
    expect((await deleteConnection(second.id)).statusCode).toBe(204);
    expect(gateway.recall.calls.map((c) => c.path)).toEqual([`/api/v2/zoom-oauth-credentials/${sharedCredential}/`]);
  });

  it('still deletes a shared credential at Recall when its last two connections are deleted at the same time', async () => {
    const sharedCredential = randomUUID();
    const first = await seedConnection(gateway, { endUserId: 'user_a', credentialId: sharedCredential });
    const second = await seedConnection(gateway, { endUserId: 'user_b', credentialId: sharedCredential });
    // Should both requests delete it, the second hears Recall's 404: already gone.
    gateway.recall.prefer('delete', 'code=204', 'code=404');
    const responses = await Promise.all([deleteConnection(first.id), deleteConnection(second.id)]);
    expect(responses.map((r) => r.statusCode)).toEqual([204, 204]);
    const deletes = gateway.recall.calls.filter((c) => c.operation === 'delete');
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    for (const call of deletes) expect(call.path).toBe(`/api/v2/zoom-oauth-credentials/${sharedCredential}/`);
    expect(await gateway.store.countCredentialUsers(sharedCredential)).toBe(0);
  });

  it('deletes a detached connection (no credential) without calling Recall', async () => {
    const seeded = await seedConnection(gateway);
    await detachCredential(gateway.store, seeded.recallCredentialId!, gateway.clock.now.toISOString());
    const response = await deleteConnection(seeded.id);
    expect(response.statusCode).toBe(204);
    expect(gateway.recall.calls).toEqual([]);
    expect(await gateway.store.getConnection(seeded.id)).toBeUndefined();
  });

  it('answers 404 not_found for an unknown id, without calling Recall', async () => {
    const response = await deleteConnection(randomUUID());
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
    expect(gateway.recall.calls).toEqual([]);
  });

  it('answers a request without an API key 401 before it looks at the id', async () => {
    const response = await gateway.request({ method: 'DELETE', url: '/v1/connections/1234' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('unauthorized');
  });

  it('answers 400 invalid_request naming params.id for an id that is not a UUID', async () => {
    const response = await deleteConnection('1234');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'params.id' })] });
  });
});

describe('POST /v1/connections/{id}/refresh', () => {
  const gateway = useGateway();
  const refresh = (id: string, query = '') => gateway.request({ method: 'POST', url: `/v1/connections/${id}/refresh${query}`, headers: auth });

  it('marks the connection connected when Recall calls the credential healthy, and records the check time', async () => {
    const seeded = await seedConnection(gateway, { status: 'unhealthy' });
    gateway.clock.advance(3600);
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const response = await refresh(seeded.id);
    expect(response.statusCode).toBe(200);
    const checkedAt = gateway.clock.now.toISOString();
    expect(response.json()).toMatchObject({
      id: seeded.id,
      status: 'connected',
      recall_status: 'healthy',
      last_checked_at: checkedAt,
      updated_at: checkedAt,
    });
    expect(await gateway.store.getConnection(seeded.id)).toMatchObject({ status: 'connected', lastCheckedAt: checkedAt });
    expect(gateway.recall.calls.map((c) => [c.operation, c.path])).toEqual([
      ['retrieve', `/api/v2/zoom-oauth-credentials/${seeded.recallCredentialId}/`],
    ]);
  });

  it('marks the connection needs_reauth when Recall calls the credential unhealthy', async () => {
    const seeded = await seedConnection(gateway, { status: 'healthy' });
    gateway.clock.advance(60);
    gateway.recall.prefer('retrieve', 'code=200, example=unhealthy');
    const response = await refresh(seeded.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'needs_reauth', recall_status: 'unhealthy', last_checked_at: gateway.clock.now.toISOString() });
    expect(await gateway.store.getConnection(seeded.id)).toMatchObject({ status: 'needs_reauth', recallStatus: 'unhealthy' });
  });

  it('updates last_checked_at but not updated_at when nothing changed', async () => {
    const seeded = await seedConnection(gateway, { status: 'healthy' });
    gateway.clock.advance(60);
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const response = await refresh(seeded.id);
    expect(response.json()).toMatchObject({ last_checked_at: gateway.clock.now.toISOString(), updated_at: seeded.updatedAt });
  });

  it('asks Recall to validate before it retrieves with ?validate=true', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const response = await refresh(seeded.id, '?validate=true');
    expect(response.statusCode).toBe(200);
    const path = `/api/v2/zoom-oauth-credentials/${seeded.recallCredentialId}/`;
    expect(gateway.recall.calls.map((c) => [c.operation, c.path])).toEqual([
      ['validate', `${path}validate/`],
      ['retrieve', path],
    ]);
  });

  it('does not validate with ?validate=false', async () => {
    const seeded = await seedConnection(gateway);
    const response = await refresh(seeded.id, '?validate=false');
    expect(response.statusCode).toBe(200);
    expect(gateway.recall.calls.map((c) => c.operation)).toEqual(['retrieve']);
  });

  it('refuses ?validate=yes as invalid_request naming query.validate', async () => {
    const seeded = await seedConnection(gateway);
    const response = await refresh(seeded.id, '?validate=yes');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'query.validate' })] });
    expect(gateway.recall.calls).toEqual([]);
  });

  it('detaches the connection when Recall no longer knows its credential', async () => {
    const seeded = await seedConnection(gateway);
    gateway.clock.advance(60);
    gateway.recall.prefer('retrieve', 'code=404');
    const response = await refresh(seeded.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: seeded.id, status: 'needs_reauth', recall_credential_id: null, recall_status: null });
    expect(await gateway.store.getConnection(seeded.id)).toMatchObject({ status: 'needs_reauth', recallCredentialId: null });
  });

  it('retires a credential Recall no longer knows: a callback Recall answered with it before cannot save onto it', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('retrieve', 'code=404');
    await refresh(seeded.id);
    expect(await gateway.store.retiredCredential(seeded.recallCredentialId!)).toMatchObject({ deletionOwed: false });
    const late = saveConnection(gateway.store, {
      newConnectionId: randomUUID(),
      endUserId: 'user_late',
      credential: { id: seeded.recallCredentialId!, status: 'healthy', userId: seeded.zoomUserId, accountId: null, meetingSyncStatus: null },
      appKind: gateway.appKind,
      replacesCredentialIds: [],
      now: gateway.clock.now.toISOString(),
    });
    await expect(late).rejects.toBeInstanceOf(CredentialDeletedError);
  });

  it('detaches the connection when Recall does not know the credential it is asked to validate', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('validate', 'code=404');
    const response = await refresh(seeded.id, '?validate=true');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'needs_reauth', recall_credential_id: null });
    expect(gateway.recall.calls.map((c) => c.operation)).toEqual(['validate']);
  });

  it('refreshes every connection that shares the credential', async () => {
    const shared = randomUUID();
    const first = await seedConnection(gateway, { endUserId: 'user_a', credentialId: shared, status: 'healthy' });
    const second = await seedConnection(gateway, { endUserId: 'user_b', credentialId: shared, status: 'healthy' });
    gateway.recall.prefer('retrieve', 'code=200, example=unhealthy');
    expect((await refresh(first.id)).statusCode).toBe(200);
    expect(await gateway.store.getConnection(second.id)).toMatchObject({ status: 'needs_reauth' });
  });

  it('leaves a detached connection (no credential) as it is, without calling Recall', async () => {
    const seeded = await seedConnection(gateway);
    await detachCredential(gateway.store, seeded.recallCredentialId!, gateway.clock.now.toISOString());
    const response = await refresh(seeded.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'needs_reauth', recall_credential_id: null });
    expect(gateway.recall.calls).toEqual([]);
  });

  it('answers 503 recall_unavailable and leaves the connection as it was when Recall is down', async () => {
    const seeded = await seedConnection(gateway);
    gateway.recall.prefer('retrieve', ...Array(10).fill('code=503'));
    const response = await refresh(seeded.id);
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('recall_unavailable');
    expect(await gateway.store.getConnection(seeded.id)).toEqual(seeded);
  });

  it('answers 404 not_found for an unknown id, without calling Recall', async () => {
    const response = await refresh(randomUUID());
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
    expect(gateway.recall.calls).toEqual([]);
  });

  it('answers 400 invalid_request naming params.id for an id that is not a UUID', async () => {
    const response = await refresh('abc');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'params.id' })] });
  });
});
