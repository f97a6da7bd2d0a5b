// The Recall client's HTTP transport: a fetch on node:http / node:https with keep-alive agents, the request body
// sent and the answer read as whole buffers, and no web streams. Node's own fetch (undici) runs every exchange
// through WHATWG streams (the request body's ReadableStream, the response's ReadableStream piped through a
// TransformStream, transferable wrappers, the body read back through a stream reader): in a heap profile of the
// callback under load that was 41% of the bytes a callback allocated, for bodies of a few hundred bytes.
//
// What the gateway relies on is kept: the caller's abort signal (the call's deadline) aborts the exchange at any
// point, connecting or reading the answer; a network failure rejects with TypeError('fetch failed') whose `cause`
// is the socket's error (errors.ts reads its code); redirects are followed as fetch follows them (the
// Authorization header does not cross to another origin); a compressed answer is decompressed; TLS for https.
// The answer is a real Response (status, headers, text/json/arrayBuffer) whose body is the buffered bytes.
import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

// undici's default keep-alive: an idle connection is closed after 4 s, before a server's idle timeout can race it.
const agentOptions = { keepAlive: true, timeout: 4000 };
const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
const MAX_REDIRECTS = 20;

// The serialized body of a request the generated client built (rememberRequestBody), so it is sent as it is instead
// of being read back out of the Request's stream.
const knownBodies = new WeakMap<Request, string>();

/** Records the body `request` was made with (the hey-api client's serializedBody, from a request interceptor). */
export function rememberRequestBody(request: Request, body: unknown): void {
  if (typeof body === 'string') knownBodies.set(request, body);
}

/** A Response whose body is already in memory: no stream is made for it, and reading it copies nothing. */
class BufferedResponse extends Response {
  readonly #body: Buffer;
  #used = false;

  constructor(body: Buffer, init: ResponseInit) {
    super(null, init);
    this.#body = body;
  }

  override get bodyUsed(): boolean {
    return this.#used;
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#body;
  }

  override text(): Promise<string> {
    try {
      return Promise.resolve(this.#take().toString('utf8'));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    try {
      const body = this.#take();
      return Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  override clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#body, { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | undefined;
  signal: AbortSignal | undefined;
}

interface Answer {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
}

/** fetch(input, init) over node:http(s); see the file's head for what it keeps of fetch. */
export const recallFetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = input instanceof Request && init === undefined ? input : new Request(input, init);
  const signal = request.signal;
  signal.throwIfAborted();
  const known = knownBodies.get(request);
  const body = request.body === null ? undefined : known !== undefined ? Buffer.from(known) : Buffer.from(await request.arrayBuffer());
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let exchange: Exchange = { method: request.method, url: new URL(request.url), headers, body, signal };
  for (let redirects = 0; ; redirects++) {
    const answer = await send(exchange);
    const location = answer.headers.get('location');
    if (request.redirect === 'manual' || location === null || !isRedirect(answer.status)) return respond(answer, exchange.method);
    if (request.redirect === 'error') throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    if (redirects >= MAX_REDIRECTS) throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
    exchange = redirected(exchange, answer.status, new URL(location, exchange.url));
  }
}) as typeof fetch;

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

/** The next request of a redirect, as fetch makes it (WHATWG fetch, HTTP-redirect fetch). */
function redirected(previous: Exchange, status: number, url: URL): Exchange {
  const headers = { ...previous.headers };
  let { method, body } = previous;
  if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
    method = 'GET';
    body = undefined;
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) delete headers[name];
  }
  if (url.origin !== previous.url.origin) {
    delete headers.authorization;
    delete headers.cookie;
    delete headers['proxy-authorization'];
  }
  return { ...previous, method, body, headers, url };
}

function respond(answer: Answer, method: string): Response {
  const { status, statusText, headers } = answer;
  // What fetch answers with no body at all; a real Response refuses a body for these statuses.
  if (method === 'HEAD' || status === 101 || status === 204 || status === 205 || status === 304) {
    return new Response(null, { status, statusText, headers });
  }
  return new BufferedResponse(decoded(answer.body, headers.get('content-encoding')), { status, statusText, headers });
}

function decoded(body: Buffer, encoding: string | null): Buffer {
  if (encoding === null || body.length === 0) return body;
  // Applied last first, as fetch does; an unknown coding leaves the bytes as they came.
  let result = body;
  for (const coding of encoding
    .toLowerCase()
    .split(',')
    .map((part) => part.trim())
    .reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') result = gunzipSync(result);
    else if (coding === 'deflate') result = inflateSync(result);
    else if (coding === 'br') result = brotliDecompressSync(result);
  }
  return result;
}

/** One HTTP exchange; a keep-alive connection the server closed meanwhile is tried once more on a new one. */
async function send(exchange: Exchange): Promise<Answer> {
  try {
    return await sendOnce(exchange);
  } catch (error) {
    if (!(error instanceof StaleConnectionError)) throw error;
    try {
      return await sendOnce(exchange);
    } catch (again) {
      // Twice in a row: a network failure as any other, its socket error as the cause.
      throw again instanceof StaleConnectionError ? new TypeError('fetch failed', { cause: again.cause }) : again;
    }
  }
}

/** A reused keep-alive connection failed before any answer came: nothing reached the server's application. */
class StaleConnectionError extends Error {}

function sendOnce({ method, url, headers, body, signal }: Exchange): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : undefined;
    if (protocol === undefined) {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const outgoing = body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
    const options: http.RequestOptions = { method, headers: outgoing, agent: agents[protocol] };
    const request = (protocol === 'https:' ? https : http).request(url, options);
    let answered = false;
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      request.destroy();
      finish(() => reject(reason));
    };
    const finish = (settle: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (signal?.aborted) return;
      if (!answered && request.reusedSocket && error.code === 'ECONNRESET')
        finish(() => reject(new StaleConnectionError('stale keep-alive connection', { cause: error })));
      else finish(() => reject(new TypeError('fetch failed', { cause: error })));
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        if (!signal?.aborted) finish(() => reject(new TypeError('terminated', { cause: error })));
      });
      response.on('end', () => {
        const answerHeaders = new Headers();
        const raw = response.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) answerHeaders.append(raw[i]!, raw[i + 1]!);
        const status = response.statusCode ?? 0;
        const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        finish(() => resolve({ status, statusText: response.statusMessage ?? '', headers: answerHeaders, body: data }));
      });
    });
    request.end(body);
  });
}
