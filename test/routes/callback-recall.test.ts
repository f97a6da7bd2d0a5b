// Every answer Recall can give to the callback's registration of the code, through the Prism mock of
// openapi/recall.yaml: what the browser is told, what the store holds, and what Recall was asked.
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionRecord } from '../../src/store/store.js';
import { appOrigin, oauthAppId, useGateway, type TestGateway } from '../support/gateway.js';
import { callback, callbackFor, launch, type Launched } from '../support/flow.js';
import { saveConnection } from '../support/store-changes.js';

const returnTo = `${appOrigin}/settings`;
const credentialsPath = '/api/v2/zoom-oauth-credentials/';
// The Prism story (openapi/recall.yaml)
const createdId = '3e61f7a6-1983-4b88-8a75-c5078831ee16';
const createdZoomUser = '85bc3ZZhXp48OwjsJzJpXQ';
const existingId = 'e96244cc-23c8-43cf-b039-59b2526ab397';
const existingZoomUser = '8rsd7e2S00SAsGowyy9GCQ';
const conflictingAccountCredential = '15af756b-f524-4e70-8cc9-74f772d4c94c';
const conflictingZoomAccount = 'Qo2hX07epz8S0xQpWGvtVg';
const conflictingUserCredential = '54a82e28-cc38-4318-aba5-09e737a2cccc';
const conflictingZoomUser = 'nIUvkgzzrl5eiNpANtL90A';

function redirectResult(response: LightMyRequestResponse) {
  const location = new URL(String(response.headers.location));
  return { target: `${location.origin}${location.pathname}`, params: Object.fromEntries(location.searchParams) };
}

function expectErrorRedirect(response: LightMyRequestResponse, code: string) {
  expect(response.statusCode).toBe(303);
  expect(redirectResult(response)).toEqual({ target: returnTo, params: { zoom_connect: 'error', error: code } });
}

function expectConnectedRedirect(response: LightMyRequestResponse): string {
  expect(response.statusCode).toBe(303);
  const { target, params } = redirectResult(response);
  expect(target).toBe(returnTo);
  expect(params).toEqual({ zoom_connect: 'connected', connection_id: expect.any(String) });
  return params.connection_id!;
}

const operations = (gateway: TestGateway) => gateway.recall.calls.map((call) => call.operation);
const rows = (gateway: TestGateway) => gateway.store.listConnections({ limit: 100 });

/** user_42's connection as it stood before this flow, on Recall's existing credential e96244cc-…. */
async function existingConnection(gateway: TestGateway): Promise<ConnectionRecord> {
  const saved = await saveConnection(gateway.store, {
    newConnectionId: '4514327a-fb47-471b-a0b3-4f1f2300723a',
    endUserId: 'user_42',
    credential: { id: existingId, status: 'unhealthy', userId: existingZoomUser, accountId: null, meetingSyncStatus: 'completed' },
    appKind: gateway.appKind,
    replacesCredentialIds: [],
    now: '2026-11-01T09:00:00.000Z',
  });
  return saved.connection;
}

describe("the callback registers the code with Recall (Prism's examples)", () => {
  const gateway = useGateway();

  describe('success', () => {
    it('connects on 201 created: a 303 with the connection id, one row on the new credential', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway);
      const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(await rows(gateway)).toEqual([
        expect.objectContaining({
          id: connectionId,
          endUserId: 'user_42',
          status: 'connected',
          recallCredentialId: createdId,
          recallStatus: 'healthy',
          zoomUserId: createdZoomUser,
          zoomAccountId: null,
          meetingSyncStatus: 'not_started',
        }),
      ]);
      expect(operations(gateway)).toEqual(['create']);
    });

    it("sends Recall the app, Zoom's code, the byte-exact redirect URI and the flow's PKCE verifier", async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const launched = await launch(gateway);
      await callbackFor(gateway, launched, 'JFiSLNVIEejhfiJLmU6AuTnKZQ');
      const [create] = gateway.recall.calls;
      expect(create).toMatchObject({ method: 'POST', path: credentialsPath });
      const body = create!.body as { oauth_app: string; authorization_code: { code: string; redirect_uri: string; code_verifier: string } };
      expect(body).toEqual({
        oauth_app: oauthAppId,
        authorization_code: {
          code: 'JFiSLNVIEejhfiJLmU6AuTnKZQ',
          redirect_uri: 'https://gateway.example.com/v1/connect/zoom/callback',
          code_verifier: expect.any(String),
        },
      });
      const challenge = createHash('sha256').update(body.authorization_code.code_verifier).digest('base64url');
      expect(launched.authorizeUrl.searchParams.get('code_challenge')).toBe(challenge);
      expect(launched.authorizeUrl.searchParams.get('redirect_uri')).toBe(body.authorization_code.redirect_uri);
    });

    it.each(['code=504', 'code=502', 'code=409, example=idempotency_in_progress'])(
      'connects when a create answered %s is sent again with the same Idempotency-Key',
      async (first) => {
        gateway.recall.prefer('create', first, 'code=201, example=created');
        const launched = await launch(gateway);
        const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
        expect(await rows(gateway)).toEqual([expect.objectContaining({ id: connectionId, recallCredentialId: createdId })]);
        const [one, two] = gateway.recall.calls;
        expect(one!.idempotencyKey).toMatch(/^zcg-create-/);
        expect(two!.idempotencyKey).toBe(one!.idempotencyKey);
        expect(two!.body).toEqual(one!.body);
      },
    );

    it('connects on 200 reauthorized_existing: the connection stored on the returned credential', async () => {
      gateway.recall.prefer('create', 'code=200, example=reauthorized_existing');
      const launched = await launch(gateway);
      const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(await gateway.store.getConnection(connectionId)).toMatchObject({ recallCredentialId: existingId, zoomUserId: existingZoomUser });
      expect(operations(gateway)).toEqual(['create']);
    });

    it('keeps ONE row with the same id when a reconnect returns the same credential (reauthorized_existing)', async () => {
      const before = await existingConnection(gateway);
      gateway.recall.prefer('create', 'code=200, example=reauthorized_existing');
      const launched = await launch(gateway);
      const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(connectionId).toBe(before.id);
      expect(await rows(gateway)).toEqual([
        {
          ...before,
          status: 'connected',
          recallStatus: 'healthy',
          updatedAt: gateway.clock.now.toISOString(),
          lastCheckedAt: gateway.clock.now.toISOString(),
        },
      ]);
      // the same credential: nothing to delete
      expect(operations(gateway)).toEqual(['create']);
    });

    it('answers 429 with Retry-After by retrying the create, then connects', async () => {
      gateway.recall.prefer('create', 'code=429', 'code=201, example=created');
      const launched = await launch(gateway);
      const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(await gateway.store.getConnection(connectionId)).toMatchObject({ recallCredentialId: createdId });
      expect(gateway.recall.calls.map((call) => [call.operation, call.prefer])).toEqual([
        ['create', 'code=429'],
        ['create', 'code=201, example=created'],
      ]);
      // the retry sends the same code and verifier: a 429 proves Recall did not spend it
      expect(gateway.recall.calls[1]!.body).toEqual(gateway.recall.calls[0]!.body);
    });

    it('answers 503 by retrying the create, then connects', async () => {
      gateway.recall.prefer('create', 'code=503', 'code=201, example=created');
      const launched = await launch(gateway);
      expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(operations(gateway)).toEqual(['create', 'create']);
    });
  });

  describe('failure', () => {
    const failures = [
      { name: 'recall_invalid_grant for 400 invalid_grant', prefer: ['code=400, example=invalid_grant'], code: 'recall_invalid_grant', creates: 1 },
      { name: 'recall_unauthorized for 401', prefer: ['code=401'], code: 'recall_unauthorized', creates: 1 },
      {
        name: 'recall_forbidden for 403 forbidden_localhost',
        prefer: ['code=403, example=forbidden_localhost'],
        code: 'recall_forbidden',
        creates: 1,
      },
      { name: 'recall_unavailable after four 429s', prefer: Array(4).fill('code=429'), code: 'recall_unavailable', creates: 4 },
      { name: 'recall_unavailable after four 503s', prefer: Array(4).fill('code=503'), code: 'recall_unavailable', creates: 4 },
      // a 502 or 504 may come after Recall spent the code: the same Idempotency-Key makes sending it again safe
      { name: 'recall_unavailable after four 502s', prefer: Array(4).fill('code=502'), code: 'recall_unavailable', creates: 4 },
      { name: 'recall_unavailable after four 504s', prefer: Array(4).fill('code=504'), code: 'recall_unavailable', creates: 4 },
      { name: 'recall_unavailable after four 409s', prefer: Array(4).fill('code=409'), code: 'recall_unavailable', creates: 4 },
    ];

    const named = failures.map((failure) => [failure.name, failure] as const);

    it.each(named)('answers %s, storing nothing', async (_, { prefer, code, creates }) => {
      gateway.recall.prefer('create', ...prefer);
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), code);
      expect(operations(gateway)).toEqual(Array(creates).fill('create'));
      expect(await rows(gateway)).toEqual([]);
    });

    it.each(named)("answers %s, leaving the end user's existing connection exactly as it was", async (_, { prefer, code, creates }) => {
      const before = await existingConnection(gateway);
      gateway.recall.prefer('create', ...prefer);
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), code);
      expect(await rows(gateway)).toEqual([before]);
      expect(operations(gateway)).toEqual(Array(creates).fill('create'));
    });

    it('answers the Recall failure with its problem status and code to a JSON client when there is no return_to', async () => {
      gateway.recall.prefer('create', 'code=401');
      const launched = await launch(gateway, { return_to: undefined });
      const response = await callback(
        gateway,
        { code: 'zoom-code', state: launched.state },
        { [launched.cookie.name]: launched.cookie.value },
        { accept: 'application/json' },
      );
      expect(response.statusCode).toBe(502);
      expect(response.json()).toMatchObject({ status: 502, code: 'recall_unauthorized' });
    });

    it.each([
      ['recall_invalid_grant', 'code=400, example=invalid_grant', 400],
      ['recall_forbidden', 'code=403, example=forbidden_localhost', 502],
      ['recall_unavailable', 'code=503', 503],
    ])('answers %s to a JSON client with no return_to with the status the spec gives it', async (code, prefer, status) => {
      gateway.recall.prefer('create', ...Array(4).fill(prefer));
      const launched = await launch(gateway, { return_to: undefined });
      const response = await callback(
        gateway,
        { code: 'zoom-code', state: launched.state },
        { [launched.cookie.name]: launched.cookie.value },
        { accept: 'application/problem+json' },
      );
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ status, code });
    });
  });
});

describe("the callback on an account-level app: Recall's legacy conflict (Prism's examples)", () => {
  const gateway = useGateway({}, { appKind: 'account_level' });

  describe('legacy conflict resolution', () => {
    it('resolves conflict_account: list by the Zoom account id, delete by the Recall id, create again, connected', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create']);
      const [firstCreate, list, del, secondCreate] = gateway.recall.calls;
      const listQuery = new URL(list!.path, 'https://recall.invalid').searchParams;
      expect(Object.fromEntries(listQuery)).toEqual({ oauth_app: oauthAppId, account_id: conflictingZoomAccount });
      expect(del).toMatchObject({ method: 'DELETE', path: `${credentialsPath}${conflictingAccountCredential}/` });
      expect(del!.path).not.toContain(conflictingZoomAccount);
      expect(secondCreate!.body).toEqual(firstCreate!.body);
      // Recall would replay the conflict to the first create's key.
      expect(secondCreate!.idempotencyKey).not.toBe(firstCreate!.idempotencyKey);
      expect(await rows(gateway)).toEqual([expect.objectContaining({ id: connectionId, recallCredentialId: createdId, status: 'connected' })]);
    });

    it('sends the browser through Zoom again (302, new state, new cookie) when the second create finds the code spent', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      const response = await callbackFor(gateway, launched);
      expect(response.statusCode).toBe(302);
      const again = new URL(String(response.headers.location));
      expect(`${again.origin}${again.pathname}`).toBe(`${launched.authorizeUrl.origin}${launched.authorizeUrl.pathname}`);
      expect(again.searchParams.get('state')).toBeTruthy();
      expect(again.searchParams.get('state')).not.toBe(launched.state);
      expect(again.searchParams.get('code_challenge')).not.toBe(launched.authorizeUrl.searchParams.get('code_challenge'));
      for (const name of ['response_type', 'client_id', 'redirect_uri', 'code_challenge_method']) {
        expect(again.searchParams.get(name)).toBe(launched.authorizeUrl.searchParams.get(name));
      }
      const cleared = response.cookies.find((cookie) => cookie.name === launched.cookie.name);
      expect(cleared).toMatchObject({ value: '', maxAge: 0 });
      const fresh = response.cookies.find((cookie) => cookie.name !== launched.cookie.name);
      expect(fresh).toMatchObject({ maxAge: gateway.config.flowTtlS, httpOnly: true, secure: true, path: '/', sameSite: 'Lax' });
      expect(fresh!.name).toMatch(/^__Host-zcg-flow-/);
      expect(fresh!.value).not.toBe(launched.cookie.value);
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create']);
      expect(await rows(gateway)).toEqual([]);
    });

    it('connects when the restarted flow comes back with a fresh code', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      const restart = await restartOf(await callbackFor(gateway, launched, 'first-code'), launched);
      const response = await callback(gateway, { code: 'second-code', state: restart.state }, { [restart.cookie.name]: restart.cookie.value });
      const connectionId = expectConnectedRedirect(response);
      expect(await gateway.store.getConnection(connectionId)).toMatchObject({ endUserId: 'user_42', recallCredentialId: createdId });
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create', 'create']);
      const lastCreate = gateway.recall.calls[4]!.body as { authorization_code: { code: string; code_verifier: string } };
      expect(lastCreate.authorization_code.code).toBe('second-code');
      const firstCreate = gateway.recall.calls[0]!.body as { authorization_code: { code_verifier: string } };
      expect(lastCreate.authorization_code.code_verifier).not.toBe(firstCreate.authorization_code.code_verifier);
    });

    it('answers recall_conflict_unresolved, never a second restart, when the restarted flow finds the code spent again', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant');
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      const restart = await restartOf(await callbackFor(gateway, launched), launched);
      const response = await callback(gateway, { code: 'second-code', state: restart.state }, { [restart.cookie.name]: restart.cookie.value });
      expectErrorRedirect(response, 'recall_conflict_unresolved');
      expect(response.cookies.find((cookie) => cookie.name === restart.cookie.name)).toMatchObject({ value: '', maxAge: 0 });
      expect(response.cookies.filter((cookie) => cookie.value !== '')).toEqual([]);
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create', 'create', 'list', 'delete', 'create']);
      expect(await rows(gateway)).toEqual([]);
    });

    it("still answers at return_to, clearing the spent flow's cookie, when the restarted flow cannot be stored", async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account', 'code=400, example=invalid_grant');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      const launched = await launch(gateway);
      vi.spyOn(gateway.store, 'createFlow').mockRejectedValueOnce(new Error('database is locked'));
      const response = await callbackFor(gateway, launched);
      expectErrorRedirect(response, 'internal_error');
      expect(response.cookies).toEqual([expect.objectContaining({ name: launched.cookie.name, value: '', maxAge: 0 })]);
      expect(await rows(gateway)).toEqual([]);
    });

    it('answers recall_conflict_unresolved, deleting nothing, when the list does not show the conflicting credential', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account');
      gateway.recall.prefer('list', 'code=200, example=empty_page');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
      expect(operations(gateway)).toEqual(['create', 'list']);
      expect(await rows(gateway)).toEqual([]);
    });

    it("deletes nothing the list returns that is not the conflicting Zoom account's credential (a list ignoring its filter)", async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account');
      gateway.recall.prefer('list', 'code=200, example=conflicting_user_page');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
      expect(operations(gateway)).toEqual(['create', 'list']);
      expect(await rows(gateway)).toEqual([]);
    });

    it('deletes neither when Recall lists two credentials for the conflicting Zoom account', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_two_credentials');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
      expect(operations(gateway)).toEqual(['create', 'list']);
      expect(await rows(gateway)).toEqual([]);
    });

    it('answers recall_unavailable and creates nothing when the conflicting credential cannot be deleted', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account');
      gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
      gateway.recall.prefer('delete', 'code=503', 'code=503', 'code=503', 'code=503');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_unavailable');
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'delete', 'delete', 'delete']);
      expect(await rows(gateway)).toEqual([]);
    });

    it('answers recall_conflict_unresolved on an account-level app when the conflict names only a Zoom user', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_user');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
      expect(operations(gateway)).toEqual(['create']);
    });
  });
});

describe("the callback on a user-level app: Recall's legacy conflict and other refusals (Prism's examples)", () => {
  const gateway = useGateway({}, { appKind: 'user_level', recallLogs: true });

  describe('legacy conflict resolution', () => {
    it('resolves conflict_user: list by the Zoom user id, delete by the Recall id, create again, connected', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_user', 'code=201, example=created');
      gateway.recall.prefer('list', 'code=200, example=conflicting_user_page');
      const launched = await launch(gateway);
      const connectionId = expectConnectedRedirect(await callbackFor(gateway, launched));
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create']);
      const [, list, del] = gateway.recall.calls;
      expect(Object.fromEntries(new URL(list!.path, 'https://recall.invalid').searchParams)).toEqual({
        oauth_app: oauthAppId,
        user_id: conflictingZoomUser,
      });
      expect(del).toMatchObject({ method: 'DELETE', path: `${credentialsPath}${conflictingUserCredential}/` });
      expect(del!.path).not.toContain(conflictingZoomUser);
      expect(await gateway.store.getConnection(connectionId)).toMatchObject({ recallCredentialId: createdId });
    });

    it('answers recall_conflict_unresolved when the second create reports the conflict again', async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_user', 'code=400, example=conflict_user');
      gateway.recall.prefer('list', 'code=200, example=conflicting_user_page');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
      expect(operations(gateway)).toEqual(['create', 'list', 'delete', 'create']);
      expect(await rows(gateway)).toEqual([]);
    });

    it("answers recall_conflict_unresolved on a user-level app when the conflict names only a Zoom account: never lists or deletes a colleague's credential", async () => {
      gateway.recall.prefer('create', 'code=400, example=conflict_account');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
      expect(operations(gateway)).toEqual(['create']);
      expect(await rows(gateway)).toEqual([]);
    });

    it.each(['conflict_without_id', 'conflict_detail_only'])(
      'answers recall_conflict_unresolved, never recall_invalid_grant, for %s, with what Recall said in the log',
      async (example) => {
        gateway.recall.prefer('create', `code=400, example=${example}`);
        const launched = await launch(gateway);
        expectErrorRedirect(await callbackFor(gateway, launched), 'recall_conflict_unresolved');
        expect(operations(gateway)).toEqual(['create']);
        const refusal = gateway.logs
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.code === 'recall_conflict_unresolved');
        expect(refusal).toMatchObject({ level: 40, component: 'recall', recallDetail: expect.stringContaining('already exists') });
      },
    );

    it("answers recall_rejected for field errors, with Recall's messages in the log", async () => {
      gateway.recall.prefer('create', 'code=400, example=field_errors');
      const launched = await launch(gateway);
      expectErrorRedirect(await callbackFor(gateway, launched), 'recall_rejected');
      const refusal = gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.code === 'recall_rejected');
      expect(refusal).toMatchObject({ recallDetail: expect.stringContaining('oauth_app: Invalid pk') });
    });
  });
});

/** The flow a 302 restart started: its state (from Zoom's URL) and binding cookie. */
async function restartOf(response: LightMyRequestResponse, previous: Launched) {
  expect(response.statusCode).toBe(302);
  const state = new URL(String(response.headers.location)).searchParams.get('state')!;
  const cookie = response.cookies.find((c) => c.name !== previous.cookie.name && c.value !== '')!;
  return { state, cookie: { name: cookie.name, value: cookie.value } };
}
