// The Prism mock of the gateway (`npm run mock:gateway`) serves every named example of gateway.yaml, so a
// frontend can be built against it before the backend runs: `Prefer: code=400, example=state_reused`.
import { describe, expect, it } from 'vitest';
import { assertNoViolations, usePrism } from '../support/prism.js';
import { collectExamples, deref, loadSpec, operations, pointer } from '../support/spec.js';

const doc = loadSpec('gateway');
const prism = usePrism('gateway');
const connectionId = '4514327a-fb47-471b-a0b3-4f1f2300723a';

/** A valid request of each operation: path, query and credentials. */
const requests: Record<string, { path: string; headers?: Record<string, string>; body?: unknown }> = {
  createConnectSession: { path: '/v1/connect-sessions', headers: { authorization: 'Bearer key' }, body: { end_user_id: 'user_42' } },
  launchConnect: { path: '/v1/connect/zoom?launch=launch-code', headers: { origin: 'https://app.example.com' } },
  openConnectUrl: { path: '/v1/connect/zoom?launch=launch-code' },
  connectCallback: { path: '/v1/connect/zoom/callback?state=s&code=c', headers: { cookie: '__Host-zcg-flow=binding' } },
  listConnections: { path: '/v1/connections?limit=20', headers: { authorization: 'Bearer key' } },
  getConnection: { path: `/v1/connections/${connectionId}`, headers: { authorization: 'Bearer key' } },
  deleteConnection: { path: `/v1/connections/${connectionId}`, headers: { authorization: 'Bearer key' } },
  refreshConnection: { path: `/v1/connections/${connectionId}/refresh?validate=true`, headers: { authorization: 'Bearer key' } },
  getMySession: { path: '/v1/me/session', headers: { authorization: 'Bearer session-token' } },
  getMyConnection: { path: '/v1/me/connection', headers: { authorization: 'Bearer session-token' } },
  deleteMyConnection: { path: '/v1/me/connection', headers: { authorization: 'Bearer session-token' } },
  getHealthz: { path: '/healthz' },
  getReadyz: { path: '/readyz' },
  getMetrics: { path: '/metrics' },
  getOpenApiDocument: { path: '/openapi.json' },
  getApiDocs: { path: '/docs' },
};

interface Case {
  operationId: string;
  method: string;
  status: string;
  mediaType?: string;
  name?: string;
  value?: unknown;
}

const examples = collectExamples(doc);
const cases = operations(doc).flatMap(({ method, path, operation }): Case[] =>
  Object.entries(operation.responses as Record<string, unknown>).flatMap(([status, raw]): Case[] => {
    const { node, at } = deref(doc, raw, pointer('paths', path, method, 'responses', status));
    const content = (node.content ?? {}) as Record<string, { examples?: Record<string, unknown> }>;
    const named = Object.entries(content).flatMap(([mediaType, media]): Case[] =>
      Object.keys(media.examples ?? {}).map((name) => ({
        operationId: operation.operationId as string,
        method,
        status,
        mediaType,
        name,
        value: examples.find((e) => e.usedAt === `${at}/content/${mediaType.replace('/', '~1')}/examples/${name}`)?.value,
      })),
    );
    return named.length > 0 ? named : [{ operationId: operation.operationId as string, method, status }];
  }),
);

describe('the Prism mock of the gateway', () => {
  it('has a valid request for every operation', () => {
    expect(Object.keys(requests).sort()).toEqual([...new Set(cases.map((c) => c.operationId))].sort());
  });

  it.each(cases.map((c) => [`${c.operationId} ${c.status} ${c.mediaType ?? ''} ${c.name ?? '(no body)'}`, c] as const))('serves %s', async (_, c) => {
    const request = requests[c.operationId]!;
    const prefer = c.name ? `code=${c.status}, example=${c.name}` : `code=${c.status}`;
    const response = await fetch(`${prism.url}${request.path}`, {
      method: c.method.toUpperCase(),
      redirect: 'manual',
      headers: {
        prefer,
        ...(c.mediaType ? { accept: c.mediaType } : {}),
        ...(request.body ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      body: request.body ? JSON.stringify(request.body) : undefined,
    });
    assertNoViolations(response);
    expect(response.status).toBe(Number(c.status));
    const text = await response.text();
    if (!c.mediaType) return;
    expect(response.headers.get('content-type')).toContain(c.mediaType);
    expect(c.mediaType.startsWith('text/') ? text : JSON.parse(text)).toEqual(c.value);
  });
});
