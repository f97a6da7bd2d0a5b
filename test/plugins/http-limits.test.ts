// The HTTP server's limits (src/http-server.ts): a request that arrives too slowly, a body too large, an idle
// connection. Each answer is a problem of gateway.yaml, never a hang or a 500.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSession, launchPathOf } from '../support/flow.js';
import { appOrigin, testApiKey, useGateway } from '../support/gateway.js';

const auth = { authorization: `Bearer ${testApiKey}` };

/** A raw connection to the listening app: what it answers, and when it closes. */
async function openSocket(port: number): Promise<{ socket: Socket; answer: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let answer = '';
  socket.on('data', (chunk) => (answer += String(chunk)));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, answer: () => answer, closed };
}

const problemOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code: string; status: number };

describe('the HTTP server limits', () => {
  const gateway = useGateway(
    {},
    { app: { http: { requestTimeoutMs: 300, headersTimeoutMs: 300, keepAliveTimeoutMs: 300, connectionTimeoutMs: 5000 } } },
  );

  async function listen(): Promise<number> {
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    return (gateway.app.server.address() as { port: number }).port;
  }

  it('answers a request whose body arrives slower than the request timeout with 408 request_timeout, and closes it', async () => {
    const { socket, answer, closed } = await openSocket(await listen());
    const body = JSON.stringify({ end_user_id: 'user_42' });
    socket.write(
      `POST /v1/connect-sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${testApiKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await closed;
    expect(answer()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer()).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(answer())).toMatchObject({ code: 'request_timeout', status: 408 });
    expect(await gateway.store.getConnectionByEndUser('user_42')).toBeUndefined();
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const { socket, answer, closed } = await openSocket(await listen());
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const started = Date.now();
    await closed;
    expect(answer()).toMatch(/^HTTP\/1\.1 200 /);
    // Well before the connection timeout (5 s), which would close it otherwise.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers a body over the limit with 413 body_too_large, before reading it', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ end_user_id: 'user_42', return_to: `${appOrigin}/${'x'.repeat(20_000)}` }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'body_too_large', status: 413, title: 'Request body too large' });
  });

  it('takes a body just under the limit', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect-sessions',
      headers: auth,
      payload: { end_user_id: 'user_42', return_to: `${appOrigin}/${'x'.repeat(15_000)}` },
    });
    expect(response.statusCode).toBe(201);
  });

  it("answers a launch form over the launch's limit with 413 body_too_large, and starts nothing", async () => {
    const session = await createSession(gateway);
    const response = await gateway.request({
      method: 'POST',
      url: launchPathOf(session.connect_url),
      headers: { origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      payload: `padding=${'x'.repeat(5000)}`,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'body_too_large' });
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});
