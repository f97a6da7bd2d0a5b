// Every named Recall outcome in openapi/recall.yaml is reachable through the Prism mock with `Prefer`,
// answers exactly its example, and parses with the generated zod schema (success bodies) or the
// component schema its response names (error bodies).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createClient, createConfig } from '../../generated/recall/client/index.js';
import * as recall from '../../generated/recall/sdk.gen.js';
import * as zod from '../../generated/recall/zod.gen.js';
import { assertNoViolations, usePrism } from '../support/prism.js';
import { collectExamples, deref, loadSpec, operations } from '../support/spec.js';

const doc = loadSpec('recall');
const prism = usePrism('recall');

const appId = '9a03bb66-31f6-4272-8074-38c7c675ecb0';
const credentialId = 'e96244cc-23c8-43cf-b039-59b2526ab397';

function clientPreferring(prefer: string) {
  return createClient(createConfig({ baseUrl: prism.url, headers: { Authorization: 'Token test-key', Prefer: prefer } }));
}

/** A valid call of each operation, so that Prism answers with the example asked for and no violation. */
const callers: Record<string, (client: ReturnType<typeof clientPreferring>) => Promise<{ data?: unknown; error?: unknown; response: Response }>> = {
  createZoomOauthCredential: (client) =>
    recall.createZoomOauthCredential({
      client,
      body: {
        oauth_app: appId,
        authorization_code: {
          code: 'zoom-code-from-the-callback',
          redirect_uri: 'https://connect.example.com/v1/connect/zoom/callback',
          code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        },
      },
    }),
  listZoomOauthCredentials: (client) => recall.listZoomOauthCredentials({ client, query: { oauth_app: appId } }),
  retrieveZoomOauthCredential: (client) => recall.retrieveZoomOauthCredential({ client, path: { id: credentialId } }),
  deleteZoomOauthCredential: (client) => recall.deleteZoomOauthCredential({ client, path: { id: credentialId } }),
  validateZoomOauthCredential: (client) => recall.validateZoomOauthCredential({ client, path: { id: credentialId } }),
  retrieveZoomOauthApp: (client) => recall.retrieveZoomOauthApp({ client, path: { id: appId } }),
  listZoomOauthCredentialLogs: (client) =>
    recall.listZoomOauthCredentialLogs({ client, query: { credential: credentialId, ordering: '-created_at' } }),
};

interface Outcome {
  operationId: string;
  status: string;
  mediaType?: string;
  example?: string;
  schemaRef?: string;
}

const outcomes = operations(doc).flatMap(({ operation }): Outcome[] => {
  const operationId = operation.operationId as string;
  return Object.entries(operation.responses as Record<string, unknown>).flatMap(([status, raw]): Outcome[] => {
    const response = deref(doc, raw, '');
    const content = (response.node.content ?? {}) as Record<string, { schema?: { $ref?: string }; examples?: Record<string, unknown> }>;
    const named = Object.entries(content).flatMap(([mediaType, media]) =>
      Object.keys(media.examples ?? {}).map((example) => ({ operationId, status, mediaType, example, schemaRef: media.schema?.$ref })),
    );
    return named.length > 0 ? named : [{ operationId, status }];
  });
});

const exampleValue = (usedAtSuffix: string) => {
  const found = collectExamples(doc).find((e) => e.usedAt.endsWith(usedAtSuffix));
  if (!found) throw new Error(`no example at ...${usedAtSuffix}`);
  return found.value;
};

function schemaFor(operationId: string, status: string, schemaRef: string | undefined): z.ZodType {
  if (status.startsWith('2')) {
    const name = `z${operationId[0]!.toUpperCase()}${operationId.slice(1)}Response` as keyof typeof zod;
    return zod[name] as z.ZodType;
  }
  const component = schemaRef?.split('/').pop();
  const schema = component ? (zod as Record<string, unknown>)[`z${component}`] : undefined;
  if (!schema) throw new Error(`no generated zod schema for ${operationId} ${status} (${schemaRef})`);
  return schema as z.ZodType;
}

describe('the Prism mock of Recall', () => {
  it('documents every outcome the gateway relies on', () => {
    const names = (operationId: string) => outcomes.filter((o) => o.operationId === operationId).map((o) => `${o.status} ${o.example ?? ''}`.trim());
    expect(names('createZoomOauthCredential')).toEqual(
      expect.arrayContaining([
        '201 created',
        '201 reauthorized_new_id',
        '200 reauthorized_new_id',
        '200 reauthorized_existing',
        '400 conflict_account',
        '400 conflict_user',
        '400 conflict_without_id',
        '400 conflict_detail_only',
        '400 field_errors',
        '400 invalid_grant',
        '401 unauthorized',
        '403 forbidden_localhost',
        '409 idempotency_in_progress',
        '429 rate_limited',
        '503 unavailable',
      ]),
    );
    expect(names('listZoomOauthCredentials')).toEqual(
      expect.arrayContaining(['200 conflicting_account_page', '200 conflicting_user_page', '200 empty_page', '200 first_page_with_next']),
    );
    expect(names('retrieveZoomOauthCredential')).toEqual(expect.arrayContaining(['200 healthy', '200 unhealthy', '404 not_found']));
    expect(names('deleteZoomOauthCredential')).toEqual(expect.arrayContaining(['204', '404 not_found']));
    expect(names('validateZoomOauthCredential')).toEqual(expect.arrayContaining(['200', '404 not_found']));
    expect(names('retrieveZoomOauthApp')).toEqual(expect.arrayContaining(['200 user_level', '200 account_level']));
    expect(names('listZoomOauthCredentialLogs')).toEqual(expect.arrayContaining(['200 revoked', '200 no_logs']));
    expect(Object.keys(callers).sort()).toEqual([...new Set(outcomes.map((o) => o.operationId))].sort());
  });

  it.each(outcomes.map((o) => [`${o.operationId} ${o.status} ${o.example ?? '(no body)'}`, o] as const))(
    '%s is reachable with Prefer and matches its schema',
    async (_, outcome) => {
      const prefer = outcome.example ? `code=${outcome.status}, example=${outcome.example}` : `code=${outcome.status}`;
      const result = await callers[outcome.operationId]!(clientPreferring(prefer));
      const { response } = result;
      assertNoViolations(response);
      expect(response.status).toBe(Number(outcome.status));
      if (!outcome.example) {
        expect(response.headers.get('content-length') ?? '0').toBe('0');
        return;
      }
      expect(response.headers.get('content-type')).toContain(outcome.mediaType);
      const expected = exampleValue(`/content/${outcome.mediaType!.replace('/', '~1')}/examples/${outcome.example}`);
      const body = response.ok ? result.data : result.error;
      expect(body).toEqual(expected);
      expect(schemaFor(outcome.operationId, outcome.status, outcome.schemaRef).safeParse(body).error).toBeUndefined();
      if (outcome.status === '429') expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    },
  );
});

describe('the Recall examples tell one story', () => {
  const value = (name: string) => exampleValue(`/examples/${name}`) as Record<string, unknown>;
  const results = (name: string) => value(name).results as Array<Record<string, unknown>>;

  it('a conflict names the Zoom id of the credential the matching list page returns, under another Recall id', () => {
    const account = value('conflict_account').conflicting_zoom_account_id;
    expect(results('conflicting_account_page').map((c) => c.account_id)).toEqual([account]);
    expect(results('conflicting_account_page')[0]!.id).not.toBe(account);
    const user = value('conflict_user').conflicting_zoom_user_id;
    expect(results('conflicting_user_page').map((c) => c.user_id)).toEqual([user]);
    expect(value('conflict_account').detail).toContain(`account_id: ${account}`);
    expect(value('conflict_user').detail).toContain(`user_id: ${user}`);
  });

  it('re-authorization returns the existing credential that retrieve shows, or another id for the same Zoom user', () => {
    expect(value('reauthorized_existing').id).toBe(value('healthy').id);
    expect(value('reauthorized_new_id').user_id).toBe(value('healthy').user_id);
    expect(value('reauthorized_new_id').id).not.toBe(value('healthy').id);
    expect(value('unhealthy').id).toBe(value('healthy').id);
    expect(value('created').id).not.toBe(value('healthy').id);
  });

  it('every credential belongs to the one Zoom OAuth app, and the first page carries a cursor', () => {
    const credentials = [value('created'), value('healthy'), ...results('conflicting_account_page'), ...results('conflicting_user_page')];
    expect(new Set(credentials.map((c) => c.oauth_app))).toEqual(new Set([value('user_level').id]));
    expect(new URL(value('first_page_with_next').next as string).searchParams.get('cursor')).toBeTruthy();
    expect(results('empty_page')).toEqual([]);
  });

  it("a conflict may name no Zoom id, and the app's answer carries secrets that appear nowhere else", () => {
    expect(value('conflict_without_id')).toMatchObject({ conflicting_zoom_account_id: null, conflicting_zoom_user_id: null });
    expect(value('conflict_detail_only')).not.toHaveProperty('conflicting_zoom_account_id');
    expect(value('field_errors')).not.toHaveProperty('detail');
    expect(value('user_level')).toHaveProperty('client_secret');
    expect(value('user_level')).toHaveProperty('webhook_secret');
  });

  it('the logs of the unhealthy conflicting credential say why it failed, newest first', () => {
    const [latest] = results('revoked');
    expect(String(latest!.message)).toContain('invalid_grant');
    expect(results('conflicting_account_page')[0]!.status).toBe('unhealthy');
    expect(results('no_logs')).toEqual([]);
  });
});
