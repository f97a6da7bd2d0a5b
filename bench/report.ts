// The benchmark's figures, each with its ratio to the two baselines, and the floors of issue 12: met or missed, and by how much.
// performance claims: met or missed, and by how much.
import type { Stats } from './child-ipc.js';
import type { LoadResult } from './load.js';
import type { PostgresFigures } from './postgres.js';

type Measured = LoadResult & { peakRssMB: number };

export interface Results {
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGB: number;
    node: string;
    platform: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  settings: Record<string, number | string>;
  baselines: { bare: Measured; oauth2: Measured };
  gateway: {
    createSession: LoadResult;
    launch: LoadResult;
    callback: LoadResult;
    callbackOneAtATime: LoadResult;
    stubLatency: LoadResult;
    connectionRead: LoadResult;
    duringCallbackOneAtATime: { gc: Stats['gc']; eventLoopDelayMs: Stats['eventLoopDelayMs'] };
    peakRssMB: number;
    memoryAtEndMB: { rss: number; heapUsed: number; heapTotal: number; external: number };
    connections: number;
    /** The production entry (dist/server/server.js, as npm start runs it), median. */
    coldStartMs: number;
  };
  baselineColdStartMs: { bare: number; oauth2: number };
  coldStartSamplesMs: Record<string, number[]>;
  /** Launches and callbacks on PostgreSQL, one instance and two; or why it could not be measured. */
  postgres?: PostgresFigures | { error: string };
}

export interface Target {
  /** What is measured. */
  figure: string;
  /** The gateway's figure, and its ratio (or difference) to the baseline. */
  result: string;
  /** What it is measured against, in the same run. */
  baseline: string;
  /** What the figure must be, as issue 12 sets it. */
  floor: string;
  met: boolean;
  /** How far off, when missed. */
  gap?: string;
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}x` : 'n/a');
/** autocannon's 1 ms histogram says 0 for anything under a millisecond. */
const latency = (ms: number) => (ms === 0 ? '<1' : String(ms));
const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

/**
 * The floors of issue 12, each a ratio to (or a difference from) a baseline measured in the same run, so a
 * slower or busier machine moves both sides.
 */
export function targetsOf(results: Results): Target[] {
  const { gateway, baselines, baselineColdStartMs } = results;
  const launchRatio = gateway.launch.rps / baselines.oauth2.rps;
  const readRatio = gateway.connectionRead.rps / baselines.bare.rps;
  const overStub = gateway.callbackOneAtATime.p99 - gateway.stubLatency.p99;
  const coldRatio = gateway.coldStartMs / baselineColdStartMs.bare;
  const below = (value: number, floor: number) => (value < floor ? { gap: `${((1 - value / floor) * 100).toFixed(0)}% below` } : {});
  return [
    {
      figure: 'launch (form POST -> 303 to Zoom, single-use state stored)',
      result: `${int(gateway.launch.rps)} req/s (${launchRatio.toFixed(2)}x)`,
      baseline: `@fastify/oauth2 start route ${int(baselines.oauth2.rps)} req/s`,
      floor: '>= 0.5x',
      met: launchRatio >= 0.5,
      ...below(launchRatio, 0.5),
    },
    {
      figure: 'connection read (GET /v1/connections/{id}, API key)',
      result: `${int(gateway.connectionRead.rps)} req/s (${readRatio.toFixed(2)}x)`,
      baseline: `bare Fastify route ${int(baselines.bare.rps)} req/s`,
      floor: '>= 0.4x',
      met: readRatio >= 0.4,
      ...below(readRatio, 0.4),
    },
    {
      figure: 'callback p99, 1 connection, over the Recall stub',
      result: `${gateway.callbackOneAtATime.p99} ms (+${overStub.toFixed(1)} ms)`,
      baseline: `Recall stub p99 ${gateway.stubLatency.p99} ms`,
      floor: '<= +5 ms',
      met: overStub <= 5,
      ...(overStub > 5 ? { gap: `${(overStub - 5).toFixed(1)} ms over` } : {}),
    },
    {
      figure: 'peak RSS of the gateway under the bench load',
      result: `${gateway.peakRssMB.toFixed(0)} MB`,
      baseline: `bare route ${baselines.bare.peakRssMB.toFixed(0)} MB, oauth2 ${baselines.oauth2.peakRssMB.toFixed(0)} MB`,
      floor: '<= 160 MB',
      met: gateway.peakRssMB <= 160,
      ...(gateway.peakRssMB > 160 ? { gap: `${(gateway.peakRssMB - 160).toFixed(0)} MB over` } : {}),
    },
    {
      figure: 'cold start of dist/server/server.js to /readyz (median)',
      result: `${int(gateway.coldStartMs)} ms (${coldRatio.toFixed(2)}x)`,
      baseline: `bare route ${int(baselineColdStartMs.bare)} ms`,
      floor: '<= 2x',
      met: coldRatio <= 2,
      ...(coldRatio > 2 ? { gap: `${int(gateway.coldStartMs - 2 * baselineColdStartMs.bare)} ms over` } : {}),
    },
  ];
}

/** The PostgreSQL figure's rows: one instance, then two on one database (connections split between them). */
function postgresRows(postgres: Results['postgres'], connections: number | string | undefined): [string, LoadResult][] {
  if (postgres === undefined || 'error' in postgres) return [];
  const { oneInstance: one, twoInstances: two } = postgres;
  return [
    ['PostgreSQL launch, 1 instance', one.launch],
    ['PostgreSQL launch, 2 instances', two.launch],
    [`PostgreSQL callback, 1 instance (${connections} conn.)`, one.callback],
    [`PostgreSQL callback, 2 instances (${connections} conn.)`, two.callback],
  ];
}

export function printReport(results: Results): { targets: Target[] } {
  const { machine, settings, baselines, gateway } = results;
  const { bare, oauth2 } = baselines;
  console.log(
    `\nZoom Connect Gateway benchmark, ${results.date}\n` +
      `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGB} GB, node ${machine.node}, ${machine.platform}; ` +
      `load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end\n` +
      `load: autocannon, ${settings.connections} connections, ${settings.durationS} s runs (${settings.warmupS} s warm-up), ` +
      `${settings.flows} launches after ${settings.launchWarmup}; gateway LOG_LEVEL=${settings.logLevel}, SQLite file store, Recall stub delay ${settings.stubDelayMs} ms` +
      `; gateway node flags: ${settings.gatewayNodeFlags || 'none'} (baselines: none)\n`,
  );

  const rows: [string, LoadResult][] = [
    ['baseline: bare Fastify route', bare],
    ['baseline: @fastify/oauth2 start (PKCE)', oauth2],
    ['connect-session creation', gateway.createSession],
    ['launch', gateway.launch],
    [`callback (${settings.connections} connections)`, gateway.callback],
    ['callback (1 connection)', gateway.callbackOneAtATime],
    ['connection read', gateway.connectionRead],
    ['Recall stub create (1 connection)', gateway.stubLatency],
    ...postgresRows(results.postgres, settings.connections),
  ];
  const header = `${pad('figure', 42)}${padLeft('req/s', 9)}${padLeft('p50 ms', 8)}${padLeft('p99 ms', 8)}   ${pad('vs bare: req/s, p99', 22)}${pad('vs oauth2 start: req/s, p99', 28)}bad answers`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const [name, row] of rows) {
    console.log(
      `${pad(name, 42)}${padLeft(int(row.rps), 9)}${padLeft(latency(row.p50), 8)}${padLeft(latency(row.p99), 8)}   ` +
        `${pad(`${ratio(row.rps, bare.rps)}, ${ratio(row.p99, bare.p99)}`, 22)}${pad(`${ratio(row.rps, oauth2.rps)}, ${ratio(row.p99, oauth2.p99)}`, 28)}` +
        `${row.unexpected + row.errors}`,
    );
  }
  console.log('');
  const { bare: bareCold, oauth2: oauth2Cold } = results.baselineColdStartMs;
  console.log(
    `${pad('peak RSS under load', 42)}gateway ${gateway.peakRssMB.toFixed(0)} MB; bare ${bare.peakRssMB.toFixed(0)} MB (${ratio(gateway.peakRssMB, bare.peakRssMB)}); oauth2 ${oauth2.peakRssMB.toFixed(0)} MB (${ratio(gateway.peakRssMB, oauth2.peakRssMB)})`,
  );
  console.log(
    `${pad('cold start to ready (median)', 42)}dist/server/server.js ${int(gateway.coldStartMs)} ms; bare ${int(bareCold)} ms (${ratio(gateway.coldStartMs, bareCold)}); oauth2 ${int(oauth2Cold)} ms (${ratio(gateway.coldStartMs, oauth2Cold)})`,
  );
  const { gc, eventLoopDelayMs } = gateway.duringCallbackOneAtATime;
  console.log(
    `${pad('during callback (1 connection)', 42)}${gc.pauses} GC pauses, ${gc.over5ms} over 5 ms (longest ${gc.maxMs} ms); ` +
      `event loop delay p99 ${eventLoopDelayMs.p99} ms, max ${eventLoopDelayMs.max} ms`,
  );
  const memory = gateway.memoryAtEndMB;
  console.log(
    `${pad('gateway memory at the end', 42)}RSS ${memory.rss} MB: V8 heap ${memory.heapUsed} MB used of ${memory.heapTotal} MB, external ${memory.external} MB`,
  );
  console.log(`${pad('connections stored by the callbacks', 42)}${int(gateway.connections)}`);
  if (results.postgres !== undefined) {
    console.log(
      `${pad('PostgreSQL figure', 42)}${
        'error' in results.postgres
          ? `not measured: ${results.postgres.error}`
          : `${int(results.postgres.flows)} flows per run; throwaway local cluster (fsync off); 2 instances: each flow launched and called back on either, the slower instance's p50/p99`
      }`,
    );
  }

  const targets = targetsOf(results);
  console.log('\nfloors (issue 12)');
  for (const target of targets) {
    console.log(
      `  ${target.met ? 'met   ' : 'MISSED'} ${target.figure}: ${target.result}; ${target.baseline}; floor ${target.floor}${target.gap ? `, ${target.gap}` : ''}`,
    );
  }
  console.log('\nas a table (README):\n| figure | result | baseline | floor | met |\n|---|---|---|---|---|');
  for (const target of targets)
    console.log(`| ${target.figure} | ${target.result} | ${target.baseline} | ${target.floor} | ${target.met ? 'yes' : '**no**'} |`);
  const bad = rows.filter(([, row]) => row.unexpected + row.errors > 0).map(([name]) => name);
  if (bad.length > 0) console.log(`\nWARNING: unexpected answers or errors in: ${bad.join(', ')} (those figures measured something else)`);
  return { targets };
}
