// The Recall client against the Prism mock of openapi/recall.yaml: each named outcome of the spec, asked for with
// Prefer, and what the gateway gets back (a result or a RecallError) plus the calls Recall received.
import { describe, expect, it } from 'vitest';
import { RecallConflictError } from '../../src/recall/recall-api.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { apiKey, appId, createdId, existingId, grant, recallClient, recallFailure } from './fixtures.js';

const recall = useRecallScenario();
const client = () => recallClient({ baseUrl: recall.url, fetch: recall.fetch });

describe('createCredential', () => {
  it('registers a new credential (201) with our app id, the grant as given and the Token header', async () => {
    // A redirect URI that URL parsing would rewrite (host case, default port): it must reach Recall untouched.
    const redirectUri = 'https://Connect.Example.com:443/v1/connect/zoom/callback/';
    recall.prefer('create', 'code=201, example=created');
    const result = await client().api.createCredential({ ...grant, redirectUri });
    expect(result.created).toBe(true);
    expect(result.credential.id).toBe(createdId);
    expect(recall.calls).toHaveLength(1);
    const [call] = recall.calls;
    expect(call).toMatchObject({ operation: 'create', method: 'POST', path: '/api/v2/zoom-oauth-credentials/' });
    expect(call!.authorization).toBe(`Token ${apiKey}`);
    expect(call!.body).toEqual({
      oauth_app: appId,
      authorization_code: { code: grant.code, redirect_uri: redirectUri, code_verifier: grant.codeVerifier },
    });
  });

  it('reports a re-authorization (200) as not created, with the id retrieve knows', async () => {
    recall.prefer('create', 'code=200, example=reauthorized_existing');
    recall.prefer('retrieve', 'code=200, example=healthy');
    const { api } = client();
    const result = await api.createCredential(grant);
    expect(result.created).toBe(false);
    const retrieved = await api.retrieveCredential(result.credential.id);
    expect(retrieved).toEqual(result.credential);
    expect(retrieved.id).toBe(existingId);
    expect(recall.calls.map((c) => c.path)).toEqual(['/api/v2/zoom-oauth-credentials/', `/api/v2/zoom-oauth-credentials/${existingId}/`]);
  });

  it('turns a legacy account conflict into a RecallConflictError carrying the Zoom account id', async () => {
    recall.prefer('create', 'code=400, example=conflict_account');
    const error = await recallFailure(client().api.createCredential(grant));
    expect(error).toBeInstanceOf(RecallConflictError);
    expect(error).toMatchObject({ code: 'recall_conflict', status: 400 });
    expect((error as RecallConflictError).conflicting).toEqual({ zoomAccountId: 'Qo2hX07epz8S0xQpWGvtVg', zoomUserId: null });
    expect((error as RecallConflictError).zoomIdFor('account_level')).toEqual({ accountId: 'Qo2hX07epz8S0xQpWGvtVg' });
    // Never usable on a user-level app: it would list every colleague's credential in that Zoom account.
    expect((error as RecallConflictError).zoomIdFor('user_level')).toBeUndefined();
  });

  it('turns a legacy user conflict into a RecallConflictError carrying the Zoom user id', async () => {
    recall.prefer('create', 'code=400, example=conflict_user');
    const error = await recallFailure(client().api.createCredential(grant));
    expect((error as RecallConflictError).conflicting).toEqual({ zoomAccountId: null, zoomUserId: 'nIUvkgzzrl5eiNpANtL90A' });
    expect((error as RecallConflictError).zoomIdFor('user_level')).toEqual({ userId: 'nIUvkgzzrl5eiNpANtL90A' });
    expect((error as RecallConflictError).zoomIdFor('account_level')).toBeUndefined();
  });

  it("reports a code Recall could not exchange as recall_invalid_grant, keeping Recall's detail", async () => {
    recall.prefer('create', 'code=400, example=invalid_grant');
    const error = await recallFailure(client().api.createCredential(grant));
    expect(error.code).toBe('recall_invalid_grant');
    expect(error.message).toContain('invalid_grant (Invalid authorization code)');
    expect(recall.calls).toHaveLength(1);
  });

  it('reports a rejected API key as recall_unauthorized, naming the key and region settings', async () => {
    recall.prefer('create', 'code=401, example=unauthorized');
    const error = await recallFailure(client().api.createCredential(grant));
    expect(error).toMatchObject({ code: 'recall_unauthorized', status: 401 });
    expect(error.message).toContain('RECALL_API_KEY');
    expect(error.message).toContain('RECALL_REGION');
  });

  it("reports Recall's firewall page as recall_forbidden with the localhost hint", async () => {
    recall.prefer('create', 'code=403, example=forbidden_localhost');
    const error = await recallFailure(client().api.createCredential({ ...grant, redirectUri: 'http://localhost:3000/callback' }));
    expect(error).toMatchObject({ code: 'recall_forbidden', status: 403 });
    expect(error.message).toContain('a localhost or 127.x redirect URI in the payload is the usual cause');
  });

  it('waits at least Retry-After on 429, then succeeds', async () => {
    recall.prefer('create', 'code=429, example=rate_limited', 'code=201, example=created');
    const { api, delays, logs } = client();
    const result = await api.createCredential(grant);
    expect(result.created).toBe(true);
    expect(recall.calls).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.obj)).toEqual([{ operation: 'create', status: 429, delayMs: delays[0] }]);
  });

  it('retries a 503 (the code was not spent) and succeeds', async () => {
    recall.prefer('create', 'code=503, example=unavailable', 'code=201, example=created');
    const result = await client().api.createCredential(grant);
    expect(result.created).toBe(true);
    expect(recall.calls.map((c) => c.prefer)).toEqual(['code=503, example=unavailable', 'code=201, example=created']);
  });

  it('gives up with recall_unavailable after maxAttempts answers of 503', async () => {
    recall.prefer('create', ...Array(4).fill('code=503, example=unavailable'));
    const { api, delays } = client();
    const error = await recallFailure(api.createCredential(grant));
    expect(error).toMatchObject({ code: 'recall_unavailable', status: 503 });
    expect(recall.calls).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  it.each(['502', '504'])('retries a %s with the same Idempotency-Key, and succeeds', async (status) => {
    recall.prefer('create', `code=${status}`, 'code=201, example=created');
    const result = await client().api.createCredential(grant);
    expect(result.created).toBe(true);
    expect(recall.calls).toHaveLength(2);
    expect(recall.calls[1]!.idempotencyKey).toBe(recall.calls[0]!.idempotencyKey);
  });
});

describe('listCredentials', () => {
  it('follows next to the last page, sending the cursor of the next link', async () => {
    recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=empty_page');
    const credentials = await client().api.listCredentials({});
    expect(credentials.map((c) => c.id)).toEqual([createdId, existingId]);
    expect(recall.calls).toHaveLength(2);
    const second = new URL(recall.calls[1]!.path, recall.url).searchParams;
    expect(second.get('cursor')).toBe('cD0yMDI1LTAzLTA0KzEwJTNBMTUlM0EyMi40ODE1MTYlMkIwMCUzQTAw');
    expect(second.get('oauth_app')).toBe(appId);
  });

  it('looks up a conflicting Zoom account with oauth_app and account_id', async () => {
    recall.prefer('list', 'code=200, example=conflicting_account_page');
    const credentials = await client().api.listCredentials({ accountId: 'Qo2hX07epz8S0xQpWGvtVg' });
    expect(credentials.map((c) => c.id)).toEqual(['15af756b-f524-4e70-8cc9-74f772d4c94c']);
    const query = Object.fromEntries(new URL(recall.calls[0]!.path, recall.url).searchParams);
    expect(query).toEqual({ oauth_app: appId, account_id: 'Qo2hX07epz8S0xQpWGvtVg' });
  });

  it('filters by Zoom user id and status', async () => {
    recall.prefer('list', 'code=200, example=conflicting_user_page');
    const credentials = await client().api.listCredentials({ userId: 'nIUvkgzzrl5eiNpANtL90A', status: 'unhealthy' });
    expect(credentials.map((c) => c.status)).toEqual(['unhealthy']);
    const query = Object.fromEntries(new URL(recall.calls[0]!.path, recall.url).searchParams);
    expect(query).toEqual({ oauth_app: appId, user_id: 'nIUvkgzzrl5eiNpANtL90A', status: 'unhealthy' });
  });

  it('stops with recall_unavailable when the list does not end within 50 pages', async () => {
    recall.prefer('list', ...Array(51).fill('code=200, example=first_page_with_next'));
    const error = await recallFailure(client().api.listCredentials({}));
    expect(error.code).toBe('recall_unavailable');
    expect(error.message).toContain('50 pages');
    expect(recall.calls).toHaveLength(50);
  });
});

describe('retrieveCredential', () => {
  it.each([
    ['healthy', 'healthy'],
    ['unhealthy', 'unhealthy'],
  ] as const)('returns a %s credential', async (example, status) => {
    recall.prefer('retrieve', `code=200, example=${example}`);
    const credential = await client().api.retrieveCredential(existingId);
    expect(credential).toMatchObject({ id: existingId, status });
    expect(recall.calls[0]!.path).toBe(`/api/v2/zoom-oauth-credentials/${existingId}/`);
  });

  it('reports an unknown id as recall_not_found, without retrying', async () => {
    recall.prefer('retrieve', 'code=404, example=not_found');
    const error = await recallFailure(client().api.retrieveCredential(existingId));
    expect(error).toMatchObject({ code: 'recall_not_found', status: 404 });
    expect(recall.calls).toHaveLength(1);
  });

  it('retries a 502 on a read', async () => {
    recall.prefer('retrieve', 'code=502', 'code=200, example=healthy');
    const credential = await client().api.retrieveCredential(existingId);
    expect(credential.status).toBe('healthy');
    expect(recall.calls).toHaveLength(2);
  });
});

describe('deleteCredential', () => {
  it('deletes by Recall id (204)', async () => {
    recall.prefer('delete', 'code=204');
    expect(await client().api.deleteCredential(existingId)).toBe('deleted');
    expect(recall.calls[0]).toMatchObject({ method: 'DELETE', path: `/api/v2/zoom-oauth-credentials/${existingId}/` });
  });

  it('counts a 404 as already gone', async () => {
    recall.prefer('delete', 'code=404, example=not_found');
    expect(await client().api.deleteCredential(existingId)).toBe('already_gone');
  });

  it('retries a 503', async () => {
    recall.prefer('delete', 'code=503, example=unavailable', 'code=204');
    expect(await client().api.deleteCredential(existingId)).toBe('deleted');
    expect(recall.calls).toHaveLength(2);
  });
});

describe('validateCredential', () => {
  it('asks Recall to re-check the credential (200)', async () => {
    recall.prefer('validate', 'code=200');
    await expect(client().api.validateCredential(existingId)).resolves.toBeUndefined();
    expect(recall.calls[0]).toMatchObject({ method: 'POST', path: `/api/v2/zoom-oauth-credentials/${existingId}/validate/` });
  });

  it('reports an unknown id as recall_not_found', async () => {
    recall.prefer('validate', 'code=404, example=not_found');
    const error = await recallFailure(client().api.validateCredential(existingId));
    expect(error.code).toBe('recall_not_found');
  });
});

describe('retrieveOauthApp', () => {
  it.each(['user_level', 'account_level'] as const)('reads the configured app (%s)', async (kind) => {
    recall.prefer('app', `code=200, example=${kind}`);
    const app = await client().api.retrieveOauthApp();
    expect(app).toMatchObject({ id: appId, kind });
    expect(recall.calls[0]).toMatchObject({ operation: 'app', path: `/api/v2/zoom-oauth-apps/${appId}/` });
  });
});
