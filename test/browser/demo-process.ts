// The real gateway process (src/server.ts) in demo mode, on a free port, with its own SQLite file, and the
// store opened on that same file (the store's own openStore) so a test can read what the gateway wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { freePort } from '../support/free-port.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

export interface DemoGateway {
  /** http://127.0.0.1:<port>, the demo page's address and PUBLIC_URL. */
  readonly base: string;
  /** The API key the banner printed for this run. */
  readonly apiKey: string;
  readonly store: Store;
}

/** The gateway's own variables removed from the environment, so the developer's settings do not leak in. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const own =
    /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|GATEWAY_API_KEYS|RECALL_|ZOOM_|ALLOWED_RETURN_ORIGINS|LOG_LEVEL|WEBHOOK_|TRUST_PROXY|CONNECT_SESSION_TTL_S|FLOW_TTL_S|HEALTH_)/;
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !own.test(name))), ...env };
}

/** For a test file: starts the demo process before its tests and stops it after; `env` adds settings. */
export function useDemoProcess(env: Record<string, string> = {}): DemoGateway {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let started: { base: string; apiKey: string; store: Store } | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-browser-'));
    const port = await freePort();
    const databaseUrl = `sqlite:${path.join(dataDir, 'gateway.db')}`;
    const proc = spawn(tsx, ['src/server.ts'], {
      cwd: root,
      env: cleanEnv({ PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', HEALTH_SYNC_INTERVAL_S: '0', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk) => (out += String(chunk)));
    proc.stderr.on('data', (chunk) => (err += String(chunk)));
    const apiKey = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /demo API key \(this run only\): (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      };
      proc.stdout.on('data', check);
      proc.on('exit', (code) => reject(new Error(`the demo process exited (${code}) before its banner.\nstdout:\n${out}\nstderr:\n${err}`)));
      check();
    });
    started = { base: `http://127.0.0.1:${port}`, apiKey, store: await openStore(databaseUrl) };
  }, 90_000);

  afterAll(async () => {
    await started?.store.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const get = () => {
    if (!started) throw new Error('useDemoProcess: the demo process is not started');
    return started;
  };
  return {
    get base() {
      return get().base;
    },
    get apiKey() {
      return get().apiKey;
    },
    get store() {
      return get().store;
    },
  };
}

/** Disconnects `endUserId` through the server-to-server API, so a test starts from "not connected". */
export async function disconnectThroughApi(gateway: DemoGateway, endUserId: string): Promise<void> {
  const headers = { authorization: `Bearer ${gateway.apiKey}` };
  const list = await fetch(`${gateway.base}/v1/connections?end_user_id=${encodeURIComponent(endUserId)}`, { headers });
  if (!list.ok) throw new Error(`GET /v1/connections answered ${list.status}: ${await list.text()}`);
  const { items } = (await list.json()) as { items: { id: string }[] };
  for (const { id } of items) {
    const deleted = await fetch(`${gateway.base}/v1/connections/${id}`, { method: 'DELETE', headers });
    if (deleted.status !== 204) throw new Error(`DELETE /v1/connections/${id} answered ${deleted.status}: ${await deleted.text()}`);
  }
}
