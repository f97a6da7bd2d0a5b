// npm run bench:profile -- <step> [cpu|heap|gc]: the built gateway (the bench entry) under one step of the bench's
// load, with a profile of that step, to find where the time (or the memory) goes before changing anything.
//   step: session | launch | callback | callback1 (one connection) | read
//   cpu:  a V8 CPU profile of the step alone (started and stopped over IPC): the functions with the most self
//         time, and self time per package or file; the .cpuprofile is in bench/.profiles/ (Chrome DevTools opens it)
//   heap: a sampling heap profile of the step alone: what allocated, per function and per package or file (bytes
//         allocated, whether or not they survived); the .heapprofile is in bench/.profiles/
//   gc:   --trace-gc over the process's life, in bench/.profiles/<step>.gc.log
//   retained: a heap snapshot after the step and a full GC (what the step left alive), in bench/.profiles/
// BENCH_FLOWS sets how many flows each step takes (default 5000), BENCH_DURATION_S the read's duration.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBundles, bundle, gatewayEnv, productionNodeFlags, root } from './bundles.js';
import { apiKey, callbacks, createSessions, launches, newFlowQueue } from './flows.js';
import { load, type LoadResult } from './load.js';
import { startServer, type ServerProcess } from './processes.js';

const [step = 'launch', kind = 'cpu'] = process.argv.slice(2);
const flows = Number(process.env.BENCH_FLOWS ?? 5000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const outDir = path.join(root, 'bench/.profiles');
mkdirSync(outDir, { recursive: true });
for (const file of readdirSync(outDir)) rmSync(path.join(outDir, file));

const flags: Record<string, string[]> = { cpu: [], heap: [], gc: ['--trace-gc'], retained: ['--expose-gc'] };
if (!flags[kind]) throw new Error(`kind must be cpu, heap, gc or retained; got ${kind}`);
const extraFlags = productionNodeFlags(process.env.BENCH_GATEWAY_NODE_FLAGS);

await buildBundles();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zcg-profile-'));
const gcLog = path.join(outDir, `${step}.gc.log`);
const server = await startServer(bundle('gateway'), [], gatewayEnv(dataDir, 'profile'), [...flags[kind]!, ...extraFlags], {
  outputFile: kind === 'gc' ? gcLog : undefined,
});
const profileFile = path.join(outDir, `${step}.${kind === 'heap' ? 'heapprofile' : 'cpuprofile'}`);
const profileType = kind === 'heap' ? 'heap-profile' : 'cpu-profile';
try {
  const measured = await run(server, step);
  const stats = await server.stats();
  console.log(
    `${step}: ${Math.round(measured.rps)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${measured.unexpected + measured.errors} bad`,
  );
  console.log(
    `peak RSS ${Math.round(stats.maxRssBytes / 2 ** 20)} MB; heap ${Math.round(stats.heapUsedBytes / 2 ** 20)} of ${Math.round(stats.heapTotalBytes / 2 ** 20)} MB`,
  );
  console.log(`GC: ${stats.gc.pauses} pauses, ${stats.gc.totalMs} ms, longest ${stats.gc.maxMs} ms`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** The steps before `step` unprofiled, then `step` under a CPU profile (when asked) and its GC counted. */
async function run(server: ServerProcess, step: string): Promise<LoadResult> {
  const url = `http://127.0.0.1:${server.port}`;
  const queue = newFlowQueue();
  const measure = async (work: () => Promise<LoadResult>) => {
    const before = await server.stats(true);
    if (kind !== 'gc' && kind !== 'retained') await server.profile(profileType);
    const result = await work();
    // The server's own CPU per answer (all its threads, user and system): steadier than req/s on a shared machine.
    const cpuUs = (await server.stats()).cpuUs - before.cpuUs;
    console.log(`server CPU: ${Math.round(cpuUs / Math.max(1, result.requests))} us per answer over ${result.requests} answers`);
    if (kind === 'retained') await server.profile('heap-snapshot', path.join(outDir, `${step}.heapsnapshot`));
    else if (kind !== 'gc') await server.profile(profileType, profileFile);
    return result;
  };
  if (step === 'session') return measure(() => createSessions(url, queue, flows, connections));
  // The launch warmed up first, as npm run bench does (by as many launches as it measures here).
  await createSessions(url, queue, (step === 'launch' ? 2 * flows : flows) + 100, connections);
  if (step === 'launch') {
    await launches(url, queue, flows, connections);
    return measure(() => launches(url, queue, flows, connections));
  }
  await launches(url, queue, flows, connections);
  if (step === 'callback') return measure(() => callbacks(url, queue, flows, connections));
  if (step === 'callback1') return measure(() => callbacks(url, queue, flows, 1));
  if (step !== 'read') throw new Error(`unknown step ${step}`);
  await callbacks(url, queue, flows, connections);
  let next = 0;
  return measure(() =>
    load({
      url,
      path: '/v1/connections',
      headers: { authorization: `Bearer ${apiKey}` },
      connections,
      durationS: Number(process.env.BENCH_DURATION_S ?? 10),
      maxSeconds: 60,
      setup: (request) => ({ ...request, path: `/v1/connections/${queue.connectionIds[next++ % queue.connectionIds.length]}` }),
      expect: (status) => status === 200,
    }),
  );
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const placeOf = (url: string) => {
  if (url === '') return '(V8, native, GC, idle)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node: internals';
  return path.relative(root, url.replace(/^file:\/\//, ''));
};

const top = (map: Map<string, number>, n: number, unit: (value: number) => string) => {
  const total = [...map.values()].reduce((a, b) => a + b, 0);
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, value]) => `  ${((value / total) * 100).toFixed(1).padStart(5)}%  ${unit(value).padStart(8)}  ${name}`)
    .join('\n');
};

const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes allocated per function, and per package or file, of a sampling heap profile. */
function summarizeHeapProfile(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const visit = (node: HeapNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      add(byFunction, `${functionName || '(anonymous)'} ${path.basename(url)}:${lineNumber + 1}`, node.selfSize);
      add(byPlace, placeOf(url), node.selfSize);
    }
    node.children.forEach(visit);
  };
  visit(profile.head);
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  console.log(`\nallocated by place:\n${top(byPlace, 25, kb)}`);
  console.log(`\nallocated by function:\n${top(byFunction, 40, kb)}`);
  console.log(`\nprofile: ${path.relative(root, file)}`);
}

/** Self time per function, and per package (node_modules/<name>) or file, of a .cpuprofile. */
function summarizeCpuProfile(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  const perSampleMs = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * perSampleMs;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    add(byFunction, `${functionName || '(anonymous)'} ${path.basename(url)}:${lineNumber + 1}`, ms);
    add(byPlace, placeOf(url), ms);
  }
  const total = [...byPlace.values()].reduce((a, b) => a + b, 0);
  const ms = (value: number) => `${Math.round(value)} ms`;
  console.log(`\nself time by place (${Math.round(total)} ms sampled):\n${top(byPlace, 25, ms)}`);
  console.log(`\nself time by function:\n${top(byFunction, 50, ms)}`);
  console.log(`\nprofile: ${path.relative(root, file)}`);
}

// Last, once everything above is defined.
if (kind === 'cpu') summarizeCpuProfile(profileFile);
if (kind === 'heap') summarizeHeapProfile(profileFile);
if (kind === 'gc') {
  const log = readFileSync(gcLog, 'utf8');
  const count = (what: string) => log.split('\n').filter((line) => line.includes(what)).length;
  console.log(
    `\n--trace-gc over the process's life: ${count('Scavenge')} scavenges, ${count('Mark-Compact')} mark-compacts; ${path.relative(root, gcLog)}`,
  );
}
