// A fast stand-in for Recall's API, for benchmarks only (not Prism: Prism validates and renders examples, which
// would measure Prism). Every create is a new Zoom user's credential (201), like a crowd of users connecting;
// reads and deletes answer at once. An optional fixed delay plays a network hop.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

export interface RecallStub {
  url: string;
  close(): Promise<void>;
}

const CREDENTIALS = '/api/v2/zoom-oauth-credentials/';

export async function startRecallStub(options: { oauthAppId: string; zoomClientId: string; delayMs?: number }): Promise<RecallStub> {
  let users = 0;
  // Unique across processes: with two gateway instances, each runs a stub of its own, and a Zoom user numbered
  // from 1 in both would be one Zoom identity connected by two end users (a re-authorization, not a new user).
  const stubId = randomUUID().slice(0, 8);
  const credential = (id: string) => ({
    id,
    oauth_app: options.oauthAppId,
    status: 'healthy',
    user_id: `bench-zoom-user-${stubId}-${++users}`,
    account_id: null,
    access_token_callback_url: null,
    created_at: new Date().toISOString(),
    meeting_sync_status: 'not_started',
  });

  const answer = (method: string, path: string): [number, unknown] => {
    if (method === 'POST' && path === CREDENTIALS) return [201, credential(randomUUID())];
    if (method === 'GET' && path === CREDENTIALS) return [200, { next: null, previous: null, results: [] }];
    if (method === 'GET' && path.startsWith('/api/v2/zoom-oauth-apps/')) {
      return [
        200,
        {
          id: options.oauthAppId,
          kind: 'user_level',
          client_id: options.zoomClientId,
          webhook_last_validation: null,
          created_at: '2025-01-09T12:24:10.551032Z',
        },
      ];
    }
    if (method === 'GET' && path.startsWith(CREDENTIALS)) return [200, credential(path.slice(CREDENTIALS.length, -1))];
    if (method === 'DELETE' && path.startsWith(CREDENTIALS)) return [204, undefined];
    if (method === 'POST' && path.endsWith('/validate/')) return [200, undefined];
    return [404, { detail: 'Not found.' }];
  };

  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const send = () => {
        const [status, body] = answer(request.method ?? 'GET', (request.url ?? '/').split('?')[0]!);
        const text = body === undefined ? '' : JSON.stringify(body);
        response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      };
      if (options.delayMs) setTimeout(send, options.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
