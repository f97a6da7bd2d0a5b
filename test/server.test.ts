// The real process (src/server.ts) in demo mode, over HTTP: no production variable set, so Recall is the
// in-process Prism mock and Zoom the stand-in consent page. A browser is played by fetch with redirect: 'manual' and
// cookies carried by hand.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectSocket, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { consentLinkIn } from './support/consent-page.js';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

interface Server {
  process: ChildProcess;
  output: () => string;
  errors: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** The gateway's own variables removed from the environment, then `env` added. */
function start(env: Record<string, string>): Server {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(PORT|HOST|PUBLIC_URL|DATABASE_URL|GATEWAY_API_KEYS|RECALL_|ZOOM_|ALLOWED_RETURN_ORIGINS|LOG_LEVEL|WEBHOOK_|TRUST_PROXY|CONNECT_SESSION_TTL_S|FLOW_TTL_S|HEALTH_SYNC_INTERVAL_S)/.test(
          name,
        ),
    ),
  );
  const child = spawn(tsx, ['src/server.ts'], { cwd: root, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  child.stderr!.on('data', (chunk) => (err += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, output: () => out, errors: () => err, exited };
}

async function waitFor(server: Server, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = server.output().match(pattern);
    if (match) return match;
    if (server.process.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${pattern} in the output.\nstdout:\n${server.output()}\nstderr:\n${server.errors()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A browser's cookie jar, for one host. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Follows one hop as a browser: GET with the jar's cookies, no automatic redirect. */
async function browse(url: string, jar: Jar): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html' } });
  jar.take(response);
  return response;
}

/** The demo page's Connect button, then the browser through the consent page to `choice`'s link. */
async function walkToZoom(base: string, jar: Jar): Promise<{ token: string; consentPage: string }> {
  const session = await fetch(`${base}/demo/connect-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(session.status).toBe(201);
  const { token, connect_url } = (await session.json()) as { token: string; connect_url: string };
  expect(connect_url.startsWith(`${base}/v1/connect/zoom?launch=`)).toBe(true);

  // The demo page's launch: its form POSTed to connect_url, with the page's Origin.
  const launched = await fetch(connect_url, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
  });
  jar.take(launched);
  expect(launched.status).toBe(303);
  const authorize = new URL(launched.headers.get('location')!);
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${base}/demo/zoom/authorize`);
  expect(jar.header()).toMatch(/zcg-flow-/);

  const consent = await browse(authorize.href, jar);
  expect(consent.status).toBe(200);
  return { token, consentPage: await consent.text() };
}

describe('demo mode, the real process over HTTP', () => {
  let server: Server;
  let base: string;
  let demoApiKey: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-demo-'));
    const port = await freePort();
    server = start({ PORT: String(port), DATABASE_URL: `sqlite:${dataDir}/g.db`, LOG_LEVEL: 'info' });
    await waitFor(server, /demo API key \(this run only\): (\S+)/);
    base = `http://127.0.0.1:${port}`;
    demoApiKey = (await waitFor(server, /demo API key \(this run only\): (\S+)/))[1]!;
  }, 60_000);

  afterAll(async () => {
    if (server?.process.exitCode === null) {
      server.process.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a banner with the demo page, the docs and a demo API key', () => {
    const out = server.output();
    expect(out).toContain('DEMO MODE');
    expect(out).toContain(`demo page:   ${base}/`);
    expect(out).toContain(`API docs:    ${base}/docs`);
    expect(demoApiKey).toMatch(/^demo_[A-Za-z0-9_-]{20,}$/);
  });

  it('accepts the printed demo API key on the server-to-server API', async () => {
    const response = await fetch(`${base}/v1/connect-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ end_user_id: 'user_42' }),
    });
    expect(response.status).toBe(201);
  });

  it('serves the demo page at /', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    expect(await response.text()).toContain('Connect Zoom');
  });

  it('connects: connect_url, the mock Zoom page, Allow, the callback, back to / connected', async () => {
    const jar = new Jar();
    const { token, consentPage } = await walkToZoom(base, jar);
    const allow = consentLinkIn(consentPage, 'allow');
    expect(allow.startsWith(`${base}/v1/connect/zoom/callback?`)).toBe(true);

    const callback = await browse(allow, jar);
    expect(callback.status).toBe(303);
    const back = new URL(callback.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(`${base}/`);
    expect(back.searchParams.get('zoom_connect')).toBe('connected');
    const connectionId = back.searchParams.get('connection_id');
    expect(jar.header()).not.toMatch(/zcg-flow-/);

    const me = await fetch(`${base}/v1/me/connection`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: connectionId, end_user_id: 'demo-user', status: 'connected' });
  });

  it('comes back with error=access_denied when the user denies at Zoom', async () => {
    const jar = new Jar();
    const { consentPage } = await walkToZoom(base, jar);
    const callback = await browse(consentLinkIn(consentPage, 'deny'), jar);
    expect(callback.status).toBe(303);
    const back = new URL(callback.headers.get('location')!);
    expect(back.searchParams.get('zoom_connect')).toBe('error');
    expect(back.searchParams.get('error')).toBe('access_denied');
  });

  it('lets an in-flight request finish on SIGTERM, then exits with code 0', async () => {
    // A request whose body is still arriving when the signal comes.
    const socket = connectSocket(Number(new URL(base).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    const body = '{"mode":"redirect"}';
    socket.write(
      `POST /demo/connect-session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 200));

    server.process.kill('SIGTERM');
    await waitFor(server, /closing: letting in-flight requests finish/);
    socket.write(body.slice(5));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);

    expect(await server.exited).toBe(0);
  }, 30_000);
});

describe('demo mode only when asked for', () => {
  it.each([
    [
      'RECALL_API_KEY set empty next to the other production variables (a missing secret file)',
      { RECALL_API_KEY: '', ZOOM_CLIENT_ID: 'zoom-client-id' },
    ],
    ['GATEWAY_API_KEYS alone', { GATEWAY_API_KEYS: 'operator-configured-key-0123456789' }],
  ])(
    'refuses to start with %s, naming RECALL_API_KEY and never printing a key',
    async (_what, env) => {
      const server = start({ PORT: String(await freePort()), ...env });
      expect(await server.exited).toBe(1);
      expect(server.errors()).toMatch(/^Invalid configuration:/);
      expect(server.errors()).toContain('RECALL_API_KEY is required outside demo mode');
      expect(server.errors()).not.toContain('operator-configured-key-0123456789');
      expect(server.output()).not.toContain('DEMO MODE');
    },
    30_000,
  );

  it('refuses demo mode on a PostgreSQL DATABASE_URL (production secrets that failed to mount), without printing its password', async () => {
    const server = start({
      PORT: String(await freePort()),
      DATABASE_URL: 'postgres://gateway:db-SECRET-password@127.0.0.1:1/gateway',
      WEBHOOK_URL: 'https://app.example.com/hooks?token=SECRET-hook-token',
      WEBHOOK_SECRET: 'whsec_c2VjcmV0',
    });
    expect(await server.exited).toBe(1);
    expect(server.errors()).toMatch(/^Invalid configuration:/);
    expect(server.errors()).toContain('DATABASE_URL is a PostgreSQL database, which demo mode');
    expect(server.errors()).toContain('WEBHOOK_URL is not on this machine');
    expect(server.errors()).not.toMatch(/db-SECRET-password|SECRET-hook-token/);
    expect(server.output()).not.toContain('DEMO MODE');
  }, 30_000);

  it('refuses to start demo mode with NODE_ENV=production', async () => {
    const server = start({ PORT: String(await freePort()), NODE_ENV: 'production' });
    expect(await server.exited).toBe(1);
    expect(server.errors()).toContain('RECALL_API_KEY is required with NODE_ENV=production');
    expect(server.output()).not.toContain('DEMO MODE');
  }, 30_000);
});

describe('a bad configuration', () => {
  it('exits with code 1 and one message naming every missing variable', async () => {
    const server = start({ RECALL_API_KEY: 'a-real-looking-recall-key', PORT: String(await freePort()) });
    expect(await server.exited).toBe(1);
    const message = server.errors();
    for (const name of ['RECALL_ZOOM_OAUTH_APP_ID', 'ZOOM_REDIRECT_URI', 'ZOOM_CLIENT_ID', 'GATEWAY_API_KEYS']) expect(message).toContain(name);
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message.match(/Invalid configuration/g)).toHaveLength(1);
    expect(message).not.toMatch(/\n\s+at /);
    expect(message).not.toContain('a-real-looking-recall-key');
    expect(server.output()).toBe('');
  }, 30_000);

  it('says in one line that PORT is in use, naming PORT and HOST, and exits with code 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const server = start({ PORT: String(port), DATABASE_URL: 'sqlite::memory:', HEALTH_SYNC_INTERVAL_S: '0' });
      expect(await server.exited).toBe(1);
      expect(server.errors()).toBe(
        `Cannot listen: PORT=${port} on HOST=127.0.0.1 is already in use by another process. Stop it, or set PORT to a free port.\n`,
      );
      expect(server.output()).not.toContain('DEMO MODE');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 30_000);

  it.each(['192.0.2.1', 'no-such-host.invalid'])(
    'says in one line that HOST=%s is not an address of this machine, exit 1',
    async (host) => {
      const server = start({ PORT: String(await freePort()), HOST: host, DATABASE_URL: 'sqlite::memory:', HEALTH_SYNC_INTERVAL_S: '0' });
      expect(await server.exited).toBe(1);
      expect(server.errors()).toBe(`Cannot listen: HOST=${host} is not an address of this machine. Set HOST to one (0.0.0.0 for all).\n`);
    },
    30_000,
  );

  it('exits with code 1 in demo mode too, naming the bad variable', async () => {
    const server = start({ PORT: 'eighty', CONNECT_SESSION_TTL_S: '5' });
    expect(await server.exited).toBe(1);
    expect(server.errors()).toMatch(/^Invalid configuration:/);
    expect(server.errors()).toContain('PORT');
    expect(server.errors()).toContain('CONNECT_SESSION_TTL_S');
  }, 30_000);
});
