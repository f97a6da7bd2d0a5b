// The gateway as its own process (node with tsx's loader on src/server.ts), for tests that kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { appOrigin, oauthAppId, testApiKey, testRecallKey, zoomClientId } from '../support/gateway.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface GatewayProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** A configured gateway's environment: on `port`, a SQLite file in `dataDir`, the fake Recall at `recallUrl`. */
export function processEnv(port: number, dataDir: string, recallUrl: string): Record<string, string> {
  const base = `http://127.0.0.1:${port}`;
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: base,
    DATABASE_URL: `sqlite:${path.join(dataDir, 'gateway.db')}`,
    GATEWAY_API_KEYS: testApiKey,
    RECALL_API_KEY: testRecallKey,
    RECALL_BASE_URL: recallUrl,
    RECALL_ZOOM_OAUTH_APP_ID: oauthAppId,
    RECALL_TIMEOUT_MS: '10000',
    ZOOM_CLIENT_ID: zoomClientId,
    ZOOM_REDIRECT_URI: `${base}/v1/connect/zoom/callback`,
    ALLOWED_RETURN_ORIGINS: appOrigin,
    LOG_LEVEL: 'warn',
  };
}

export function startGatewayProcess(env: Record<string, string>): GatewayProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(PORT|HOST|PUBLIC_URL|DATABASE_URL|GATEWAY_API_KEYS|RECALL_|ZOOM_|ALLOWED_RETURN_ORIGINS|LOG_LEVEL|WEBHOOK_|TRUST_PROXY|CONNECT_SESSION_TTL_S|FLOW_TTL_S|HEALTH_SYNC_INTERVAL_S)/.test(
          name,
        ),
    ),
  );
  // node itself with tsx's loader, not the tsx binary: that one runs the server in a child process of its own,
  // which a SIGKILL to the binary would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Kills the gateway (SIGKILL) if it still runs, and waits for it to exit. */
export async function killGatewayProcess(gateway: GatewayProcess | undefined): Promise<void> {
  if (!gateway || gateway.child.exitCode !== null) return;
  gateway.child.kill('SIGKILL');
  await gateway.exited;
}

export async function waitUntilReady(base: string, gateway: GatewayProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gateway.child.exitCode !== null) throw new Error(`the gateway exited (${gateway.child.exitCode}):\n${gateway.output()}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the gateway was not ready within ${timeoutMs} ms:\n${gateway.output()}`);
}
