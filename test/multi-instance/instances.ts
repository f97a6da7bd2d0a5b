// The cast of the multi-instance tests: real gateway processes (src/server.ts) on one PostgreSQL database,
// one Recall shared by all of them (a Prism mock behind a proxy that records every call it passes on, so a
// test counts what reached Recall whichever instance sent it), and the stand-in Zoom consent page. The load
// balancer is the test itself: it sends each request to the instance it chooses (`through`).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import Fastify from 'fastify';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { startPrism, specPaths } from '../../mocks/prism.js';
import { zoomConsentPage } from '../../mocks/zoom/consent-page.js';
import { consentLinkIn } from '../support/consent-page.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

// ---- gateway processes ---------------------------------------------------------------------------------

export interface GatewayProcess {
  /** http://127.0.0.1:<port>, this instance's own address behind the balancer. */
  readonly origin: string;
  output(): string;
  /** How many of the JSON log lines it wrote have the message `msg`. */
  logged(msg: string): number;
  /** SIGTERM, then the exit code once it has closed. */
  stop(): Promise<number | null>;
}

/** The gateway's own variables removed from this environment, then `env` added. */
function gatewayEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(PORT|HOST|PUBLIC_URL|DATABASE_|GATEWAY_API_KEYS|RECALL_|ZOOM_|ALLOWED_RETURN_ORIGINS|LOG_LEVEL|WEBHOOK_|TRUST_PROXY|CONNECT_SESSION_TTL_S|FLOW_TTL_S|HEALTH_SYNC_)/.test(
          name,
        ),
    ),
  );
  return { ...inherited, ...env };
}

/** Starts src/server.ts with `env` on `port`; resolves once it listens (its banner is printed). */
export async function startGateway(port: number, env: Record<string, string>): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(tsx, ['src/server.ts'], {
    cwd: root,
    env: gatewayEnvironment({ ...env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  child.stderr!.on('data', (chunk) => (out += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const gateway: GatewayProcess = {
    origin: `http://127.0.0.1:${port}`,
    output: () => out,
    logged: (msg) => out.split('\n').filter((line) => line.includes(`"msg":${JSON.stringify(msg)}`)).length,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  const deadline = Date.now() + 60_000;
  while (!/Zoom Connect Gateway on /.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway on port ${port} did not start:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return gateway;
}

/** The load balancer's choice: `url` (on the public origin) sent to `instance`. */
export function through(instance: GatewayProcess, url: string): string {
  const target = new URL(url);
  const origin = new URL(instance.origin);
  target.protocol = origin.protocol;
  target.host = origin.host;
  return target.href;
}

// ---- a browser -----------------------------------------------------------------------------------------

/** A browser's cookie jar; every instance sits behind one public host, so one jar serves them all. */
export class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** One hop as a browser: GET with the jar's cookies, no automatic redirect. */
export async function browse(url: string, jar: Jar): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html' } });
  jar.take(response);
  return response;
}

/** The app's page (at `origin`) submitting its launch form to connect_url. */
export async function launchFrom(origin: string, connectUrl: string, jar: Jar): Promise<Response> {
  const response = await fetch(connectUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), accept: 'text/html', origin, 'content-type': 'application/x-www-form-urlencoded' },
  });
  jar.take(response);
  return response;
}

/** The Allow (or Deny) link of the stand-in Zoom consent page. */
export async function consentLink(consentPageUrl: string, jar: Jar, id: 'allow' | 'deny' = 'allow'): Promise<string> {
  const page = await browse(consentPageUrl, jar);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  return consentLinkIn(html, id);
}

// ---- the shared Recall and the Zoom page ---------------------------------------------------------------

export interface RecordingRecall {
  readonly url: string;
  /** Every call that reached Recall, as "METHOD /path", in order. */
  readonly calls: string[];
  creates(): number;
  close(): Promise<void>;
}

/** Prism's mock of openapi/recall.yaml behind a proxy that writes down every call before passing it on. */
export async function startRecordingRecall(): Promise<RecordingRecall> {
  const prism = await startPrism(specPaths.recall);
  const calls: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push(`${request.method} ${request.url}`);
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'),
      );
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${prism.url}${request.url}`, { method: request.method, headers, body })
        .then(async (answer) => {
          response.writeHead(
            answer.status,
            Object.fromEntries([...answer.headers].filter(([name]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(name))),
          );
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    creates: () => calls.filter((call) => call.startsWith('POST /api/v2/zoom-oauth-credentials/')).length,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await prism.close();
    },
  };
}

/** The stand-in zoom.us/oauth/authorize (mocks/zoom) on a port of its own; returns its authorize URL. */
export async function startZoomConsentPage(options: {
  clientId: string;
  redirectUri: string;
}): Promise<{ authorizeUrl: string; close(): Promise<void> }> {
  const app = Fastify();
  await app.register(zoomConsentPage, { path: '/oauth/authorize', ...options });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { authorizeUrl: `${address}/oauth/authorize`, close: () => app.close() };
}

export interface WebhookDelivery {
  id: string;
  type: string;
  /** The Standard Webhooks signature checked out with the shared secret. */
  signed: boolean;
}

/** WEBHOOK_URL for every instance: writes down each delivery attempt it receives and answers 204 (after `delayMs`). */
export async function startWebhookReceiver(
  secret: string,
  delayMs = 100,
): Promise<{ url: string; deliveries: WebhookDelivery[]; close(): Promise<void> }> {
  const verifier = new Webhook(secret);
  const deliveries: WebhookDelivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      let signed = true;
      try {
        verifier.verify(body, headers);
      } catch {
        signed = false;
      }
      deliveries.push({ id: headers['webhook-id'] ?? '', type: (JSON.parse(body) as { type: string }).type, signed });
      // A slow receiver keeps each attempt open for a while: time for another instance to claim it too, if it could.
      setTimeout(() => response.writeHead(204).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/webhooks/zoom-connect`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
