// What the fuzz suite found, each as one deterministic case of a rule of answer-rules.ts. A case that still fails
// is a known bug (it.fails, with the bug named); answer-rules.ts sets that one violation aside in the random
// runs until it is fixed. When a fix lands, its it.fails starts failing: turn it into it(...) and delete the
// matching entry of knownBugs in answer-rules.ts.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApiKey } from '../support/gateway.js';
import { startGateway, type GatewayUnderTest } from '../faults/gateway-under-test.js';
import { allViolations } from './answer-rules.js';

describe('cases found by fuzzing', () => {
  let gateway: GatewayUnderTest;
  let token: string;
  beforeAll(async () => {
    gateway = await startGateway();
    const session = await gateway.send({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { authorization: `Bearer ${testApiKey}` },
      body: { end_user_id: 'user_42' },
    });
    token = (JSON.parse(session.body) as { token: string }).token;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  let port: number | undefined;
  async function listening(): Promise<number> {
    if (port === undefined) {
      await gateway.app.listen({ port: 0, host: '127.0.0.1' });
      port = (gateway.app.server.address() as { port: number }).port;
    }
    return port;
  }

  const violationsOf = async (method: 'DELETE' | 'OPTIONS', url: string, headers: Record<string, string>, payload?: string) =>
    allViolations(method, url, await gateway.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) }));

  // Found by fuzzing (a bug of the rules, not of the gateway): the path templates were read as regular expressions,
  // so GET /openapixjson, a 404, was checked as GET /openapi.json, which documents no 404.
  it('checks GET /openapixjson as the unknown route it is, not as /openapi.json', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/openapixjson' });
    expect(response.statusCode).toBe(404);
    expect(allViolations('GET', '/openapixjson', response)).toEqual([]);
  });

  // Found by fuzzing: with Content-Type: application/json and no body DELETE /v1/me/connection answered 400,
  // a status gateway.yaml does not document there. GET and DELETE now ignore a body (src/app.ts).
  it('DELETE /v1/me/connection with Content-Type: application/json and no body answers as gateway.yaml documents', async () => {
    expect(await violationsOf('DELETE', '/v1/me/connection', { authorization: `Bearer ${token}`, 'content-type': 'application/json' })).toEqual([]);
  });

  // Found by fuzzing: a preflight without Origin got @fastify/cors's own 400 text/plain; now strictPreflight is off.
  it('OPTIONS /v1/me/connection without Origin answers a 4xx as problem+json', async () => {
    expect(await violationsOf('OPTIONS', '/v1/me/connection', {})).toEqual([]);
  });

  /** One raw HTTP/1.1 exchange over a socket: what light-my-request cannot send (it parses the URL first). */
  async function rawExchange(port: number, requestLine: string, headerLines: string[] = []): Promise<{ status: number; contentType: string }> {
    const socket = connect(port, '127.0.0.1');
    socket.write([requestLine, 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n'), 'latin1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), contentType: /\r\ncontent-type: ([^\r]*)/i.exec(text)?.[1] ?? '' };
  }

  it.each([
    ['GET /\\ HTTP/1.1'],
    ['GET /v1/connections/\\..\\ HTTP/1.1'],
    ['GET /v1/connect/zoom/callback?state=\\&code=\\ HTTP/1.1'],
    ['GET /%ZZ%\\ HTTP/1.1'],
  ])('answers the request line %j (a backslash, which only a socket can send) with a 4xx problem', async (requestLine) => {
    const answer = await rawExchange(await listening(), requestLine, ['Accept: application/json', 'X-Odd: caf\xe9']);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
  });

  // Found by fuzzing: requests Node's HTTP parser refuses got Fastify's default {"error":"Bad Request"} JSON; the
  // clientErrorHandler of src/app.ts now writes the invalid_request problem.
  it('answers requests the HTTP parser refuses with a 400 invalid_request problem', async () => {
    const port = await listening();
    const malformed: [string, string[]][] = [
      ['GET /v1/connect/zoom?launch=\xe9\xff HTTP/1.1', []],
      ['GET /healthz HTTP/1.1', ['Bad Header: y']],
      ['POST /v1/connect-sessions HTTP/1.1', ['Content-Length: abc']],
      ['GET /healthz HTTP/9.9', []],
    ];
    for (const [requestLine, headerLines] of malformed) {
      const answer = await rawExchange(port, requestLine, headerLines);
      expect(answer, requestLine).toEqual({ status: 400, contentType: expect.stringMatching(/^application\/problem\+json/) });
    }
  });

  it('answers a DELETE /v1/connections/{id} with the same empty JSON body as gateway.yaml documents (400 invalid_request)', async () => {
    const url = '/v1/connections/4514327a-fb47-471b-a0b3-4f1f2300723a';
    expect(await violationsOf('DELETE', url, { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' })).toEqual([]);
  });
});
