// The servers under test, each in a process of its own: started from the built bundles with node, asked for their
// peak memory over IPC, stopped with SIGTERM (then SIGKILL, by pid, if they do not go). Every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { Ready, Stats } from './child-ipc.js';
import { freePort } from '../test/support/free-port.js';

export interface ServerProcess {
  port: number;
  stubUrl: string | undefined;
  /** The server's memory, and its GC pauses and event-loop delay since the last reset (`reset`: start anew after this). */
  stats(reset?: boolean): Promise<Stats>;
  /** bench/profile.ts: starts a CPU or sampling heap profile of the server (no `file`), or stops it and writes it to `file`. */
  profile(type: 'cpu-profile' | 'heap-profile' | 'heap-snapshot', file?: string): Promise<void>;
  stop(): Promise<void>;
}

// The gateway's own variables are never inherited: a developer's RECALL_API_KEY or WEBHOOK_URL must not reach a benchmark.
const gatewayVariable =
  /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|DATABASE_POOL_SIZE|GATEWAY_API_KEYS|RECALL_|ZOOM_|ALLOWED_RETURN_ORIGINS|LOG_LEVEL|WEBHOOK_|TRUST_PROXY|CONNECT_SESSION_TTL_S|FLOW_TTL_S|HEALTH_SYNC_INTERVAL_S)/;

function launch(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeFlags: string[] = [],
  outputFile?: string,
): { child: ChildProcess; output: () => string; written: Promise<void> } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !gatewayVariable.test(name)));
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  // All of it, when asked (a --trace-gc log); otherwise only its end, for the error of a server that failed.
  // `written` settles once the file has the last of it (the child's stdout can close after its exit).
  const file = outputFile ? child.stdout!.pipe(createWriteStream(outputFile)) : undefined;
  const written = file ? new Promise<void>((resolve) => file.once('close', resolve)) : Promise.resolve();
  child.stdout!.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  child.stderr!.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  return { child, output: () => output, written };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startServer(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeFlags: string[] = [],
  { timeoutMs = 30_000, outputFile }: { timeoutMs?: number; outputFile?: string } = {},
): Promise<ServerProcess> {
  const { child, output, written } = launch(script, args, env, nodeFlags, outputFile);
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} was not ready within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${output()}`));
    });
    child.on('message', (message: Ready) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve(message);
    });
  });
  child.removeAllListeners('exit');
  return {
    port: ready.port,
    stubUrl: ready.stubUrl,
    stats: (reset = false) =>
      new Promise<Stats>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script} did not answer the stats request`)), 5000);
        const onMessage = (message: Stats) => {
          if (message?.type !== 'stats') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats', reset });
      }),
    profile: (type, file) =>
      new Promise<void>((resolve) => {
        const onMessage = (message: { type?: string }) => {
          if (message?.type !== type) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        child.send({ type, file });
      }),
    stop: async () => {
      await stopChild(child);
      await written;
    },
  };
}

/**
 * Cold start: from spawning node on the bundle to the first 200 of `readyPath` (polled every 5 ms), `samples`
 * times, each process on a fresh environment from `envFor`; then stopped.
 */
export async function coldStarts(
  script: string,
  args: string[],
  envFor: (port: number) => Record<string, string>,
  readyPath: string,
  samples: number,
  { nodeFlags = [] }: { nodeFlags?: string[] } = {},
): Promise<number[]> {
  const times: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const port = await freePort();
    const started = performance.now();
    const { child, output } = launch(script, args, { ...envFor(port), PORT: String(port) }, nodeFlags);
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}) during its cold start:\n${output()}`);
        if (performance.now() - started > 20_000) throw new Error(`${script} was not ready within 20 s:\n${output()}`);
        const ok = await fetch(`http://127.0.0.1:${port}${readyPath}`).then(
          (response) => response.status === 200,
          () => false,
        );
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      times.push(performance.now() - started);
    } finally {
      await stopChild(child);
    }
  }
  return times;
}
