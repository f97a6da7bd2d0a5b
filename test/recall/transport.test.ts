// The Recall client's transport (src/recall/transport.ts) against a local HTTP server: what fetch did for the
// gateway, it still does (body and headers out, status, headers and body back, deadlines, network failures,
// redirects, compressed answers), over one kept-alive connection.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recallFetch } from '../../src/recall/transport.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: unknown;
}

let received: Received[] = [];
let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end();
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const { method = '', url = '', headers, socket } = request;
    received.push({ method, url, headers, body: Buffer.concat(chunks).toString(), socket });
    handler(request, response);
  });
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
const answer = (next: typeof handler) => {
  received = [];
  handler = next;
};

describe('recallFetch', () => {
  it('sends the Request its method, headers and body, and answers a Response with status, headers and body', async () => {
    answer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
      response.end(JSON.stringify({ id: 'c-1' }));
    });
    const request = new Request(`${base}/api/v2/zoom-oauth-credentials/`, {
      method: 'POST',
      headers: { Authorization: 'Token k', 'Content-Type': 'application/json', 'Idempotency-Key': 'zcg-create-x' },
      body: '{"code":"é"}',
    });
    const response = await recallFetch(request);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('r-1');
    expect(await response.json()).toEqual({ id: 'c-1' });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    const [sent] = received;
    expect(sent).toMatchObject({ method: 'POST', url: '/api/v2/zoom-oauth-credentials/', body: '{"code":"é"}' });
    expect(sent!.headers).toMatchObject({
      authorization: 'Token k',
      'content-type': 'application/json',
      'idempotency-key': 'zcg-create-x',
      'content-length': String(Buffer.byteLength('{"code":"é"}')),
    });
  });

  it('takes a URL and init as fetch does, and answers 204 and error statuses', async () => {
    answer((request, response) => {
      if (request.method === 'DELETE') response.writeHead(204).end();
      else response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found."}');
    });
    const deleted = await recallFetch(`${base}/a/`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expect(await deleted.text()).toBe('');
    const missing = await recallFetch(new URL(`${base}/b/?x=1`));
    expect(missing.ok).toBe(false);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('{"detail":"Not found."}');
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['DELETE /a/', 'GET /b/?x=1']);
  });

  it('keeps the connection alive between requests', async () => {
    answer((_request, response) => response.end('{}'));
    await (await recallFetch(`${base}/one/`)).text();
    await (await recallFetch(`${base}/two/`)).text();
    expect(received).toHaveLength(2);
    expect(received[0]!.socket).toBe(received[1]!.socket);
  });

  it('rejects with the abort reason when the signal fires before the answer, and while it is read', async () => {
    answer(() => undefined);
    await expect(recallFetch(`${base}/slow/`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
    answer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"partial":');
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 50);
    await expect(recallFetch(`${base}/half/`, { signal: controller.signal })).rejects.toThrow('deadline');
    await expect(recallFetch(`${base}/never/`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("fails as fetch does when nothing listens: TypeError('fetch failed') with the socket's error as cause", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await recallFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
  });

  it('follows redirects as fetch does: 303 becomes a GET without body, 307 keeps both, another origin gets no Authorization', async () => {
    answer((request, response) => {
      if (request.url === '/see-other/') response.writeHead(303, { location: '/target/' }).end();
      else if (request.url === '/temporary/') response.writeHead(307, { location: '/target/' }).end();
      else if (request.url === '/elsewhere/') response.writeHead(302, { location: `${base.replace('127.0.0.1', 'localhost')}/target/` }).end();
      else response.end('done');
    });
    const init = { method: 'POST', headers: { authorization: 'Token k', 'content-type': 'application/json' }, body: '{}' };
    expect(await (await recallFetch(`${base}/see-other/`, init)).text()).toBe('done');
    expect(received.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/see-other/', '{}'],
      ['GET', '/target/', ''],
    ]);
    expect(received[1]!.headers['content-type']).toBeUndefined();
    answer(handler);
    await recallFetch(`${base}/temporary/`, init);
    expect(received.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/temporary/', '{}'],
      ['POST', '/target/', '{}'],
    ]);
    answer(handler);
    await recallFetch(`${base}/elsewhere/`, { headers: { authorization: 'Token k' } });
    expect(received.map((r) => r.headers.authorization)).toEqual(['Token k', undefined]);
    const manual = await recallFetch(`${base}/see-other/`, { redirect: 'manual' });
    expect(manual.status).toBe(303);
  });

  it('decompresses a compressed answer', async () => {
    answer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(gzipSync('{"zipped":true}'));
    });
    expect(await (await recallFetch(`${base}/gz/`)).json()).toEqual({ zipped: true });
  });
});
