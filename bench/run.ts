// npm run bench: the built gateway under load, next to its baselines measured in the same run.
// 1. esbuild bundles the gateway's bench entry and the baselines into bench/.build/, and builds the production entry
//    as npm run build does (dist/server/server.js): node runs them (bench/bundles.ts).
// 2. Cold starts: the production entry (configured mode, against a Recall stub) and the baselines, from spawn to
//    their first 200 on the readiness route.
// 3. Load, with autocannon in this process against one server process at a time, on 127.0.0.1 only: the bare
//    Fastify route, @fastify/oauth2's start route (PKCE), then the gateway (SQLite file store, in-process Recall
//    stub): session creation, launch, callback, connection read, and the stub's own latency; then launches and
//    callbacks on PostgreSQL with one gateway instance and with two on one database (bench/postgres.ts).
// 4. bench/results.json, and a table of every figure with its ratio to the baselines and issue 12's floors.
// Every load is bounded by a request count or a duration, and by a wall-clock watchdog.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBundles, bundle, gatewayEnv as baseEnv, oauthAppId, productionEntry, productionNodeFlags, root, zoomClientId } from './bundles.js';
import { apiKey, callbacks, createSessions, launches, newFlowQueue } from './flows.js';
import { load, type LoadResult } from './load.js';
import { measurePostgres } from './postgres.js';
import { coldStarts, startServer, type ServerProcess } from './processes.js';
import { startRecallStub } from './recall-stub.js';
import { printReport, type Results } from './report.js';

const numberFrom = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
/**
 * node flags of every gateway process: npm start's own, then BENCH_GATEWAY_NODE_FLAGS (e.g. "--max-old-space-size=96").
 * The baselines run on node's defaults, as a team would run them.
 */
const gatewayNodeFlags = productionNodeFlags(process.env.BENCH_GATEWAY_NODE_FLAGS);

const settings = {
  connections: numberFrom('BENCH_CONNECTIONS', 10),
  durationS: numberFrom('BENCH_DURATION_S', 10),
  warmupS: numberFrom('BENCH_WARMUP_S', 3),
  /** Launches measured; sessions and callbacks are sized from it. */
  flows: numberFrom('BENCH_FLOWS', 20_000),
  /**
   * Launches before the measured ones (and the sessions they spend, made before the measured sessions): about the
   * baselines' warm-up on this machine, so that the launch is measured warm as they are, not while the JIT compiles
   * it and the sessions just made are checkpointed.
   */
  launchWarmup: numberFrom('BENCH_LAUNCH_WARMUP', 30_000),
  coldStartSamples: numberFrom('BENCH_COLD_STARTS', 5),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  /** gatewayNodeFlags (above), as the results record them. */
  gatewayNodeFlags: gatewayNodeFlags.join(' '),
  stubDelayMs: numberFrom('BENCH_STUB_DELAY_MS', 0),
  /** Flows (launches, then callbacks) of the PostgreSQL figure, per configuration; 0 leaves it out. */
  postgresFlows: numberFrom('BENCH_PG_FLOWS', 3000),
};

const gatewayEnv = (dataDir: string, name: string, extra: Record<string, string> = {}) =>
  baseEnv(dataDir, name, { LOG_LEVEL: settings.logLevel, BENCH_STUB_DELAY_MS: String(settings.stubDelayMs), ...extra });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measureColdStarts(dataDir: string, recallUrl: string) {
  let n = 0;
  const samples = settings.coldStartSamples;
  // The production entry as npm start runs it (node, npm start's flags, dist/server/server.js), configured mode against the Recall stub.
  const gateway = await coldStarts(
    productionEntry,
    [],
    () => gatewayEnv(dataDir, `cold-${++n}`, { RECALL_BASE_URL: recallUrl }),
    '/readyz',
    samples,
    { nodeFlags: gatewayNodeFlags },
  );
  const bare = await coldStarts(bundle('baseline'), ['bare'], () => ({}), '/ready', samples);
  const oauth2 = await coldStarts(bundle('baseline'), ['oauth2'], () => ({}), '/ready', samples);
  return { gateway: median(gateway), bare: median(bare), oauth2: median(oauth2), samples: { gateway, bare, oauth2 } };
}

/** A warm-up, then the measured run, of a GET that always answers `status`; the server's peak memory after. */
async function measureRoute(server: ServerProcess, routePath: string, status: number): Promise<LoadResult & { peakRssMB: number }> {
  const options = {
    url: `http://127.0.0.1:${server.port}`,
    path: routePath,
    connections: settings.connections,
    expect: (s: number) => s === status,
    maxSeconds: 120,
  };
  await load({ ...options, durationS: settings.warmupS });
  const result = await load({ ...options, durationS: settings.durationS });
  return { ...result, peakRssMB: (await server.stats()).maxRssBytes / 2 ** 20 };
}

async function measureGateway(server: ServerProcess) {
  const url = `http://127.0.0.1:${server.port}`;
  const C = settings.connections;
  const common = { url, maxSeconds: 300 };

  // The stub's own latency: a create, straight to it, one at a time (as one callback makes it).
  const stub = {
    ...common,
    url: server.stubUrl!,
    method: 'POST' as const,
    path: '/api/v2/zoom-oauth-credentials/',
    connections: 1,
    expect: (s: number) => s === 201,
  };
  const stubBody = JSON.stringify({
    oauth_app: oauthAppId,
    authorization_code: { code: 'c', redirect_uri: 'http://127.0.0.1:3000/v1/connect/zoom/callback', code_verifier: 'v'.repeat(43) },
  });
  const stubHeaders = { 'content-type': 'application/json', authorization: 'Token bench-recall-api-key' };
  await load({ ...stub, body: stubBody, headers: stubHeaders, durationS: 1 });
  const stubLatency = await load({ ...stub, body: stubBody, headers: stubHeaders, durationS: Math.max(2, settings.durationS / 2) });

  // The flow, step by step (bench/flows.ts): sessions feed launches, launches feed callbacks.
  const queue = newFlowQueue();
  await createSessions(url, queue, settings.launchWarmup, C);
  const createSession = await createSessions(url, queue, settings.flows + 100, C);
  await launches(url, queue, settings.launchWarmup, C);
  const launch = await launches(url, queue, settings.flows, C);
  await callbacks(url, queue, 500, C);
  const callback = await callbacks(url, queue, Math.floor(settings.flows * 0.6), C);
  // What the one-at-a-time callbacks waited on besides their own work: GC pauses and a late event loop.
  await server.stats(true);
  const callbackOneAtATime = await callbacks(url, queue, Math.min(2000, Math.floor(settings.flows * 0.2)), 1);
  const { gc, eventLoopDelayMs } = await server.stats(true);
  const connectionIds = queue.connectionIds;

  // Connection reads by id, across the connections just made.
  let next = 0;
  const reads = (durationS: number) =>
    load({
      ...common,
      path: '/v1/connections',
      headers: { authorization: `Bearer ${apiKey}` },
      connections: C,
      durationS,
      setup: (request) => ({ ...request, path: `/v1/connections/${connectionIds[next++ % connectionIds.length]}` }),
      expect: (status) => status === 200,
    });
  await reads(settings.warmupS);
  const connectionRead = await reads(settings.durationS);

  const peakRssMB = (await server.stats()).maxRssBytes / 2 ** 20;
  const memory = await server.stats();
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  return {
    createSession,
    launch,
    callback,
    callbackOneAtATime,
    duringCallbackOneAtATime: { gc, eventLoopDelayMs },
    stubLatency,
    connectionRead,
    peakRssMB,
    memoryAtEndMB: {
      rss: mb(memory.rssBytes),
      heapUsed: mb(memory.heapUsedBytes),
      heapTotal: mb(memory.heapTotalBytes),
      external: mb(memory.externalBytes),
    },
    connections: connectionIds.length,
  };
}

/** The PostgreSQL figure (bench/postgres.ts), or why there is none: the other figures stand without it. */
async function measurePostgresFigure(dataDir: string): Promise<Results['postgres']> {
  if (settings.postgresFlows <= 0) return undefined;
  console.log('measuring the gateway on PostgreSQL, one instance and two (throwaway cluster)...');
  try {
    return await measurePostgres({
      bundle: bundle('gateway'),
      env: (databaseUrl) => ({ ...gatewayEnv(dataDir, 'unused'), DATABASE_URL: databaseUrl }),
      nodeFlags: gatewayNodeFlags,
      flows: settings.postgresFlows,
      connections: settings.connections,
    });
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]! };
  }
}

async function main(): Promise<void> {
  const loadAverageAtStart = os.loadavg().map((value) => Math.round(value * 100) / 100);
  if (loadAverageAtStart[0]! > os.availableParallelism() / 2) {
    console.log(
      `WARNING: the machine is busy (load average ${loadAverageAtStart.join(', ')} on ${os.availableParallelism()} CPUs): the figures will be low and noisy.`,
    );
  }
  const dataDir = mkdtempSync(path.join(process.env.BENCH_DB_DIR ?? os.tmpdir(), 'zcg-bench-'));
  const recallStub = await startRecallStub({ oauthAppId, zoomClientId });
  try {
    console.log('building bench/.build/ and dist/server/ with esbuild...');
    const buildMs = await buildBundles();
    console.log(`measuring cold starts (${settings.coldStartSamples} each)...`);
    const coldStart = await measureColdStarts(dataDir, recallStub.url);

    console.log('measuring the bare Fastify route...');
    const bareServer = await startServer(bundle('baseline'), ['bare'], {});
    const bare = await measureRoute(bareServer, '/bare', 200).finally(() => bareServer.stop());
    console.log("measuring @fastify/oauth2's start route (PKCE)...");
    const oauth2Server = await startServer(bundle('baseline'), ['oauth2'], {});
    const oauth2 = await measureRoute(oauth2Server, '/login/zoom', 302).finally(() => oauth2Server.stop());
    console.log('measuring the gateway (SQLite, in-process Recall stub)...');
    const gatewayServer = await startServer(bundle('gateway'), [], gatewayEnv(dataDir, 'load'), gatewayNodeFlags);
    const gateway = await measureGateway(gatewayServer).finally(() => gatewayServer.stop());
    const postgres = await measurePostgresFigure(dataDir);

    const results: Results = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((value) => Math.round(value * 100) / 100),
      },
      settings: { ...settings, buildMs: Math.round(buildMs) },
      baselines: { bare, oauth2 },
      gateway: { ...gateway, coldStartMs: coldStart.gateway },
      ...(postgres ? { postgres } : {}),
      baselineColdStartMs: { bare: coldStart.bare, oauth2: coldStart.oauth2 },
      coldStartSamplesMs: coldStart.samples,
    };
    const report = printReport(results);
    writeFileSync(path.join(root, 'bench/results.json'), `${JSON.stringify({ ...results, targets: report.targets }, null, 2)}\n`);
    console.log('\nwritten: bench/results.json');
  } finally {
    await recallStub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
