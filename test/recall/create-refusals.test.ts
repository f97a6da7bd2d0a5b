// Every 400 of create means what it says (Prism's examples of openapi/recall.yaml): a conflict that names no
// Zoom id, or only says a credential exists, is recall_conflict_unresolved; field errors are recall_rejected;
// only a real failed exchange is recall_invalid_grant (which tells the user to try again). Each RecallError says
// itself which problem it becomes and what the person is told, and Recall's own words go to the operator's log.
import { describe, expect, it } from 'vitest';
import { RecallConflictError } from '../../src/recall/recall-api.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { grant, recallClient, recallFailure } from './fixtures.js';

const recall = useRecallScenario();
const client = () => recallClient({ baseUrl: recall.url, fetch: recall.fetch });

describe("create's 400 answers", () => {
  it.each([
    ['conflict_without_id', 'recall_conflict_unresolved', 'A Zoom OAuth Credential already exists for this OAuth App and Zoom account.'],
    ['conflict_detail_only', 'recall_conflict_unresolved', 'A Zoom OAuth Credential already exists for this OAuth App and Zoom user.'],
    ['field_errors', 'recall_rejected', 'oauth_app: Invalid pk "9a03bb66-31f6-4272-8074-38c7c675ecb0" - object does not exist.'],
    ['invalid_grant', 'recall_invalid_grant', 'Failed to exchange authorization code: invalid_grant (Invalid authorization code)'],
  ] as const)('%s becomes %s, with what Recall said in the log', async (example, code, said) => {
    recall.prefer('create', `code=400, example=${example}`);
    const { api, logs } = client();
    const error = await recallFailure(api.createCredential(grant));
    expect(error).not.toBeInstanceOf(RecallConflictError);
    expect(error).toMatchObject({ code, problem: code, status: 400 });
    expect(error.recallDetail).toContain(said);
    const refusal = logs.find((line) => line.level === 'warn' && line.msg.startsWith('Recall refused create'));
    expect(refusal?.obj).toMatchObject({ operation: 'create', status: 400, code, problem: code, recallDetail: expect.stringContaining(said) });
    // Nothing was retried: a refusal is final.
    expect(recall.calls).toHaveLength(1);
  });

  it('tells the user a conflict could not be resolved, and an invalid grant to try again, never Recall internals', async () => {
    recall.prefer('create', 'code=400, example=conflict_without_id', 'code=400, example=invalid_grant', 'code=400, example=field_errors');
    const { api } = client();
    const unresolved = await recallFailure(api.createCredential(grant));
    expect(unresolved.userDetail).toBe('An earlier Zoom connection could not be replaced. Try again, and contact support if it keeps failing.');
    const invalidGrant = await recallFailure(api.createCredential(grant));
    expect(invalidGrant.userDetail).toContain('Try again.');
    const rejected = await recallFailure(api.createCredential(grant));
    expect(rejected.userDetail).toBe('Recall rejected the request.');
    for (const error of [unresolved, invalidGrant, rejected]) expect(error.userDetail).not.toContain('pk');
  });

  it('keeps a legacy conflict with a Zoom id resolvable, and out of the refusal log', async () => {
    recall.prefer('create', 'code=400, example=conflict_account');
    const { api, logs } = client();
    const error = await recallFailure(api.createCredential(grant));
    expect(error).toBeInstanceOf(RecallConflictError);
    expect(error.problem).toBe('recall_conflict_unresolved');
    expect(logs.filter((line) => line.msg.startsWith('Recall refused'))).toEqual([]);
  });

  it('never logs the authorization code or the verifier, even when Recall echoes them', async () => {
    const echoing = (async () =>
      new Response(JSON.stringify({ authorization_code: { code: [`Code ${grant.code} is not valid for verifier ${grant.codeVerifier}.`] } }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      })) as typeof fetch;
    const { api, logs } = recallClient({ baseUrl: 'https://recall.test', fetch: echoing });
    const error = await recallFailure(api.createCredential(grant));
    expect(error.code).toBe('recall_rejected');
    const text = JSON.stringify(logs) + error.message + String(error.recallDetail);
    expect(text).not.toContain(grant.code);
    expect(text).not.toContain(grant.codeVerifier);
    expect(text).toContain('[redacted]');
  });
});
