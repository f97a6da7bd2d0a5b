// An idempotent create (Prism's examples): every create carries an Idempotency-Key derived from the
// authorization code without exposing it; a create that met a timeout, a network error, a 502 or a 504 is sent
// again with the same key; a 409 (the first request with the key still running) is waited out.
import { describe, expect, it } from 'vitest';
import { useRecallScenario } from '../support/recall-scenario.js';
import { apiKey, grant, recallClient, recallFailure } from './fixtures.js';

const recall = useRecallScenario();
const client = () => recallClient({ baseUrl: recall.url, fetch: recall.fetch });
const keys = () => recall.calls.map((call) => call.idempotencyKey);

describe('the Idempotency-Key of a create', () => {
  it('is the same for the same code, different for another code, and never holds the code', async () => {
    recall.prefer('create', 'code=201, example=created', 'code=201, example=created', 'code=201, example=created');
    const { api } = client();
    await api.createCredential(grant);
    await api.createCredential(grant);
    await api.createCredential({ ...grant, code: 'another-zoom-code' });
    const [first, again, other] = keys();
    expect(first).toMatch(/^zcg-create-[A-Za-z0-9_-]{43}$/);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    for (const key of keys()) for (const secret of [grant.code, grant.codeVerifier!, apiKey]) expect(key).not.toContain(secret);
  });

  it('is the same on another instance (another client with the same Recall key), so any of them may retry', async () => {
    recall.prefer('create', 'code=201, example=created', 'code=201, example=created');
    await client().api.createCredential(grant);
    await client().api.createCredential(grant);
    expect(new Set(keys()).size).toBe(1);
  });

  it('is a new one for the create sent again after a legacy conflict, which Recall would otherwise replay', async () => {
    recall.prefer('create', 'code=400, example=conflict_user', 'code=201, example=created');
    const { api } = client();
    await recallFailure(api.createCredential(grant));
    await api.createCredential(grant, { attempt: 'after_conflict' });
    const [first, afterConflict] = keys();
    expect(afterConflict).toBeDefined();
    expect(afterConflict).not.toBe(first);
  });
});

describe('retrying a create', () => {
  it('waits out a 409 (the first request still running) and sends the same key again', async () => {
    recall.prefer('create', 'code=409, example=idempotency_in_progress', 'code=201, example=created');
    const { api, delays } = client();
    const result = await api.createCredential(grant);
    expect(result).toMatchObject({ created: true, credential: { id: '3e61f7a6-1983-4b88-8a75-c5078831ee16' } });
    expect(recall.calls).toHaveLength(2);
    expect(keys()[1]).toBe(keys()[0]);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
  });

  it('reports recall_unavailable when the first request is still running after every attempt', async () => {
    recall.prefer('create', ...Array<string>(4).fill('code=409, example=idempotency_in_progress'));
    const error = await recallFailure(client().api.createCredential(grant));
    expect(error).toMatchObject({ code: 'recall_unavailable', problem: 'recall_unavailable', status: 409 });
    expect(new Set(keys())).toEqual(new Set([keys()[0]]));
    expect(recall.calls).toHaveLength(4);
  });
});
