// The compiled gateway, as `npm start` runs it: built from this source by the build `npm run build` runs, into a
// tree of its own. First with the dev dependencies (a checkout after `npm ci`: demo mode), then installed for
// production by scripts/production-install.sh (`npm ci --omit=dev`, as the Dockerfile's runtime stage does):
// configured mode against a Recall mock, `npm run doctor`, and demo mode refused in one line.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../../scripts/build.js';
import { toolEnv } from '../client/package-fixture.js';
import { migratedSqlite } from '../doctor/support.js';
import { FakeRecall, FakeZoom } from '../faults/fake-recall.js';
import { baseEnv, oauthAppId, testApiKey, testRecallKey, zoomClientId } from '../support/gateway.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'zcg-production-'));
/** A built checkout: this one's package files, spec and node_modules, and a dist/ built from the current source. */
const built = path.join(work, 'built');
/** The production install made from it. */
const installed = path.join(work, 'installed');

interface Started {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

/** package.json's start script in `dir` (node, its flags, the compiled entry): what npm start runs. */
const startScript = (dir: string) =>
  (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;

/** `npm start` in `dir`: its command, with only `env` (and PATH) as its environment. */
function npmStart(dir: string, env: Record<string, string>): Started {
  const [, ...nodeArgs] = startScript(dir).split(' ');
  const child = spawn(process.execPath, nodeArgs, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  child.stderr!.on('data', (chunk) => (err += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, errors: () => err, exited };
}

/**
 * `npm start` in `dir` on a terminal, as a developer runs it: script(1) gives the process a pseudo-terminal (its
 * stdout is a TTY). Its own process group, so stopping it stops the gateway too.
 */
function npmStartOnTerminal(dir: string, env: Record<string, string>): Started {
  const child = spawn('script', ['-qfec', startScript(dir), '/dev/null'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk).replace(/\r/g, '')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = () => child.exitCode === null && process.kill(-child.pid!, 'SIGTERM');
  return { child: Object.assign(child, { stopGroup: stop }), output: () => out, errors: () => '', exited };
}

async function stopOnTerminal(started: Started): Promise<void> {
  (started.child as ChildProcess & { stopGroup: () => void }).stopGroup();
  await started.exited;
}

async function waitFor(started: Started, pattern: RegExp): Promise<RegExpMatchArray> {
  for (const deadline = Date.now() + 30_000; ; ) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${pattern} in the output.\nstdout:\n${started.output()}\nstderr:\n${started.errors()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(started: Started): Promise<number | null> {
  if (started.child.exitCode === null) started.child.kill('SIGTERM');
  return started.exited;
}

beforeAll(async () => {
  for (const file of ['package.json', 'package-lock.json', 'openapi', 'scripts/prepare.mjs']) {
    cpSync(path.join(root, file), path.join(built, file), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(built, 'node_modules'));
  await buildGateway(path.join(built, 'dist'));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm start in a checkout with its dev dependencies', () => {
  it('runs the compiled gateway in demo mode: the demo page, its client and the API', async () => {
    const port = await freePort();
    const gateway = npmStart(built, { PORT: String(port), DATABASE_URL: `sqlite:${path.join(work, 'demo.db')}`, LOG_LEVEL: 'warn' });
    try {
      const apiKey = (await waitFor(gateway, /demo API key \(this run only\): (\S+)/))[1]!;
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/`)).status).toBe(200);
      const client = await fetch(`${base}/demo/client.js`);
      expect(client.status).toBe(200);
      expect(await client.text()).toContain('zoom_connect');
      const session = await fetch(`${base}/v1/connect-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ end_user_id: 'user_42' }),
      });
      expect(session.status).toBe(201);
    } finally {
      expect(await stop(gateway)).toBe(0);
    }
  }, 60_000);
});

describe('logs on a terminal', () => {
  it('are readable lines in a checkout, which has pino-pretty (a dev dependency)', async () => {
    const port = await freePort();
    const gateway = npmStartOnTerminal(built, { PORT: String(port), DATABASE_URL: `sqlite:${path.join(work, 'tty.db')}`, LOG_LEVEL: 'info' });
    try {
      await waitFor(gateway, /demo API key \(this run only\)/);
      expect(gateway.output()).toMatch(/^\[[\d:.]+\] \S*INFO\S*: \S*Server listening at http:\/\/127\.0\.0\.1:\d+/m);
      expect(gateway.output()).not.toContain('{"level"');
    } finally {
      await stopOnTerminal(gateway);
    }
  }, 60_000);
});

describe('a production install (npm ci --omit=dev)', () => {
  let installOutput = '';
  let recall: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    const { stdout, stderr } = await run('bash', [path.join(root, 'scripts/production-install.sh'), built, installed], {
      env: toolEnv(),
      maxBuffer: 10_000_000,
    });
    installOutput = stdout + stderr;
    recall = await new FakeRecall({
      apiKey: testRecallKey,
      oauthAppId,
      zoomClientId,
      zoom: new FakeZoom(),
      kind: 'user_level',
      reauthorization: 'update',
      webhookValidated: true,
    }).listen();
  }, 240_000);

  afterAll(async () => {
    await recall?.close();
  });

  const production = () => ({ ...baseEnv(recall.url), DATABASE_URL: `sqlite:${path.join(work, 'production.db')}`, LOG_LEVEL: 'warn' });

  it('installs no dev dependency, and its prepare step builds nothing', () => {
    for (const devOnly of ['tsx', 'esbuild', '@stoplight/prism-http', 'vitest'])
      expect(existsSync(path.join(installed, 'node_modules', devOnly))).toBe(false);
    expect(existsSync(path.join(installed, 'node_modules/fastify'))).toBe(true);
    expect(installOutput).toContain('prepare: no build tools');
  });

  it('starts in configured mode against Recall: ready, and the API answers', async () => {
    const port = await freePort();
    const gateway = npmStart(installed, { ...production(), PORT: String(port) });
    try {
      await waitFor(gateway, /Zoom Connect Gateway on /);
      const base = `http://127.0.0.1:${port}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', config: 'ok', load: 'ok' } });
      const session = await fetch(`${base}/v1/connect-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ end_user_id: 'user_42' }),
      });
      expect(session.status).toBe(201);
      expect((await session.json()).connect_url).toMatch(/^https:\/\/gateway\.example\.com\/v1\/connect\/zoom\?launch=/);
    } finally {
      expect(await stop(gateway)).toBe(0);
    }
    expect(gateway.errors()).toBe('');
  }, 60_000);

  it('logs JSON lines even on a terminal: pino-pretty is a dev dependency, so not installed', async () => {
    expect(existsSync(path.join(installed, 'node_modules/pino-pretty'))).toBe(false);
    const port = await freePort();
    const gateway = npmStartOnTerminal(installed, { ...production(), PORT: String(port), LOG_LEVEL: 'info' });
    try {
      await waitFor(gateway, /Zoom Connect Gateway on /);
      // pino writes JSON to stdout asynchronously: its line may come after the banner (console.log, synchronous).
      await waitFor(gateway, /Server listening.*\n/);
      const listening = gateway
        .output()
        .split('\n')
        .find((line) => line.includes('Server listening'));
      expect(JSON.parse(listening!)).toMatchObject({ level: 30, msg: `Server listening at http://127.0.0.1:${port}` });
    } finally {
      await stopOnTerminal(gateway);
    }
  }, 60_000);

  it('runs npm run doctor, compiled, against the same set-up', async () => {
    const database = await migratedSqlite(work, 'doctor.db');
    const { stdout } = await run('npm', ['run', '--silent', 'doctor'], {
      cwd: installed,
      env: toolEnv({ ...production(), DATABASE_URL: `sqlite:${database}` }),
    });
    expect(stdout).toContain('[ok]   Recall API key and region');
    expect(stdout).toContain('Ready: nothing failed.');
  }, 60_000);

  it('refuses demo mode in one line, naming the missing dev dependencies, and exits 1', async () => {
    const gateway = npmStart(installed, { PORT: String(await freePort()) });
    expect(await gateway.exited).toBe(1);
    expect(gateway.errors()).toMatch(
      /^Demo mode needs the dev dependencies \(@stoplight\/prism-\S+ is not installed: a production install, npm ci --omit=dev\)\. [^\n]+\n$/,
    );
    expect(gateway.output()).toBe('');
  }, 30_000);
});
