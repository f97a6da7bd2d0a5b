// The package's ./sdk entry: createGatewayClient names the gateway and the API key once, and every operation it
// returns goes there with the key, except those the spec leaves unauthenticated (the key stays off /healthz).
import { describe, expect, it } from 'vitest';
import { createGatewayClient } from '../../src/client/sdk.js';

function recordingFetch(answer: () => Response): { fetch: typeof fetch; requests: Request[] } {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    return answer();
  };
  return { fetch, requests };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const session = { token: 't', expires_at: '2025-06-20T08:30:00.000Z', connect_url: 'https://connect.example.com/v1/connect/zoom?launch=l' };

describe('createGatewayClient', () => {
  it('sends createConnectSession to the gateway it names, with the API key as a bearer and the body as JSON', async () => {
    const recorded = recordingFetch(() => json(201, session));
    const gateway = createGatewayClient({ baseUrl: 'https://connect.example.com', apiKey: 'app-backend-key-0001', fetch: recorded.fetch });
    const { data } = await gateway.createConnectSession({ body: { end_user_id: 'user_42', mode: 'popup' }, throwOnError: true });
    expect(data).toEqual(session);
    const [request] = recorded.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('https://connect.example.com/v1/connect-sessions');
    expect(request!.headers.get('authorization')).toBe('Bearer app-backend-key-0001');
    expect(await request!.json()).toEqual({ end_user_id: 'user_42', mode: 'popup' });
  });

  it("hands back the gateway's problem as the error", async () => {
    const problem = { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Unknown API key.', code: 'unauthorized' };
    const gateway = createGatewayClient({
      baseUrl: 'https://connect.example.com',
      apiKey: 'k',
      fetch: recordingFetch(() => json(401, problem)).fetch,
    });
    const { data, error } = await gateway.listConnections({ query: { end_user_id: 'user_42' } });
    expect(data).toBeUndefined();
    expect(error).toEqual(problem);
  });

  it('keeps the API key off the operations the spec leaves unauthenticated', async () => {
    const recorded = recordingFetch(() => json(200, { status: 'ok' }));
    const gateway = createGatewayClient({ baseUrl: 'https://connect.example.com', apiKey: 'app-backend-key-0001', fetch: recorded.fetch });
    await gateway.getHealthz();
    expect(recorded.requests[0]!.url).toBe('https://connect.example.com/healthz');
    expect(recorded.requests[0]!.headers.get('authorization')).toBeNull();
  });

  it('never sends the API key as a session token or a binding cookie (the operations secured by those)', async () => {
    const recorded = recordingFetch(() => json(404, { code: 'not_connected' }));
    const gateway = createGatewayClient({ baseUrl: 'https://connect.example.com', apiKey: 'app-backend-key-0001', fetch: recorded.fetch });
    await gateway.getMyConnection();
    await gateway.connectCallback({ query: { code: 'c', state: 's' } });
    expect(recorded.requests.map((request) => [request.headers.get('authorization'), request.headers.get('cookie')])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('gives two gateways their own address and key', async () => {
    const first = recordingFetch(() => json(200, { items: [], next_cursor: null }));
    const second = recordingFetch(() => json(200, { items: [], next_cursor: null }));
    await createGatewayClient({ baseUrl: 'https://one.example.com', apiKey: 'key-one', fetch: first.fetch }).listConnections();
    await createGatewayClient({ baseUrl: 'https://two.example.com', apiKey: 'key-two', fetch: second.fetch }).listConnections();
    expect([first.requests[0]!.url, first.requests[0]!.headers.get('authorization')]).toEqual([
      'https://one.example.com/v1/connections',
      'Bearer key-one',
    ]);
    expect([second.requests[0]!.url, second.requests[0]!.headers.get('authorization')]).toEqual([
      'https://two.example.com/v1/connections',
      'Bearer key-two',
    ]);
  });
});
