// openapi/gateway.yaml against DESIGN.md's API table: the same operations, with their auth, one tag each,
// and the error model (a closed code enum, one named example per code, named after the code).
import { describe, expect, it } from 'vitest';
import { deref, loadSpec, operations } from '../support/spec.js';

type Json = Record<string, any>;
const doc = loadSpec('gateway') as Json;

// DESIGN.md, "API (gateway.yaml, v1)": method, path, auth. The callback's path is the default path of
// ZOOM_REDIRECT_URI. The GET of connect_url is the launch's refusal (DESIGN.md's flow, step 2: a GET starts
// nothing), described so that its answer is part of the contract too. GET /v1/me/session goes beyond DESIGN.md's
// table: the session with the connection or null, so a page asking "connected?" gets no 404 to log (issue 13).
const designTable = [
  ['post', '/v1/connect-sessions', 'apiKey'],
  ['post', '/v1/connect/zoom', 'none'],
  ['get', '/v1/connect/zoom', 'none'],
  ['get', '/v1/connect/zoom/callback', 'bindingCookie'],
  ['get', '/v1/connections', 'apiKey'],
  ['get', '/v1/connections/{id}', 'apiKey'],
  ['delete', '/v1/connections/{id}', 'apiKey'],
  ['post', '/v1/connections/{id}/refresh', 'apiKey'],
  ['get', '/v1/me/connection', 'connectSession'],
  ['delete', '/v1/me/connection', 'connectSession'],
  ['get', '/v1/me/session', 'connectSession'],
  ['get', '/healthz', 'none'],
  ['get', '/readyz', 'none'],
  ['get', '/metrics', 'none'],
  ['get', '/docs', 'none'],
  ['get', '/openapi.json', 'none'],
] as const;

const codes: string[] = doc.components.schemas.ProblemCode.enum;
const specOperations = operations(doc) as { method: string; path: string; operation: Json }[];
const authOf = (operation: Json) => {
  const security = (operation.security ?? doc.security) as Json[];
  const names = security.flatMap((requirement) => Object.keys(requirement));
  return names.length === 0 ? 'none' : names.join('+');
};

describe('gateway.yaml', () => {
  it('has exactly the operations of DESIGN.md, with their auth', () => {
    const listed = specOperations.map(({ method, path, operation }) => [method, path, authOf(operation)]);
    expect(listed.sort()).toEqual(designTable.map((row) => [...row]).sort());
  });

  it('gives every operation a unique operationId and one declared tag (one routes file each)', () => {
    const declared = (doc.tags as Json[]).map((t) => t.name);
    const ids = specOperations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(specOperations.length);
    for (const { operation } of specOperations) {
      expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.tags).toHaveLength(1);
      expect(declared).toContain(operation.tags[0]);
    }
  });

  it('documents a 4xx on every operation that takes input', () => {
    const inputless = ['/healthz', '/readyz', '/metrics', '/docs', '/openapi.json'];
    for (const { path, operation } of specOperations.filter((o) => !inputless.includes(o.path))) {
      expect(
        Object.keys(operation.responses).some((s) => s.startsWith('4')),
        path,
      ).toBe(true);
    }
  });

  it('has the closed list of error codes of DESIGN.md', () => {
    expect(codes).toEqual([
      'invalid_request',
      'unauthorized',
      'not_found',
      'not_connected',
      'rate_limited',
      'return_to_not_allowed',
      'session_invalid',
      'session_expired',
      'session_used',
      'launch_not_from_app',
      'state_missing',
      'state_invalid',
      'state_expired',
      'state_reused',
      'state_cookie_missing',
      'state_mismatch',
      'access_denied',
      'zoom_error',
      'code_missing',
      'recall_invalid_grant',
      'recall_conflict_unresolved',
      'recall_unauthorized',
      'recall_forbidden',
      'recall_unavailable',
      'recall_rejected',
      'store_unavailable',
      'body_too_large',
      'request_timeout',
      'overloaded',
      'internal_error',
    ]);
  });

  it('names every problem example after the code it carries, with a status that matches the response', () => {
    const seen = new Set<string>();
    for (const { path, operation } of specOperations) {
      for (const [status, raw] of Object.entries(operation.responses as Json)) {
        const response = deref(doc, raw, '').node as Json;
        const problem = response.content?.['application/problem+json'];
        if (!problem) continue;
        for (const [name, rawExample] of Object.entries(problem.examples ?? {})) {
          const value = (deref(doc, rawExample, '').node as Json).value;
          expect(value.code, `${path} ${status} ${name}`).toBe(name);
          expect(value.status, `${path} ${status} ${name}`).toBe(Number(status));
          expect(value.type).toBe(`urn:zoom-connect-gateway:problem:${name}`);
          seen.add(name);
        }
      }
    }
    expect([...seen].sort()).toEqual([...codes].sort());
  });

  it('describes the redirects with their Location header and the result page as text/html', () => {
    const callback = specOperations.find((o) => o.operation.operationId === 'connectCallback')!.operation;
    const launch = specOperations.find((o) => o.operation.operationId === 'launchConnect')!.operation;
    for (const [operation, status] of [
      [launch, '303'],
      [callback, '302'],
      [callback, '303'],
    ] as const) {
      const response = deref(doc, operation.responses[status], '').node as Json;
      expect(Object.keys(response.headers ?? {}), status).toContain('Location');
    }
    expect(Object.keys(callback.responses['200'].content)).toEqual(['text/html']);
    expect(doc.components.securitySchemes.bindingCookie).toMatchObject({ type: 'apiKey', in: 'cookie' });
  });
});
