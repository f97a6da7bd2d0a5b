// The PostgreSQL figure: launches and callbacks of the built gateway on a PostgreSQL database, with one instance,
// then with two instances on one database (flows launched on either and called back on either, as behind a
// load balancer), each instance with its own in-process Recall stub. The database is a throwaway cluster
// (test/support/postgres-cluster.ts: local, fsync off), so the figure is the gateway's and its locking's, not a
// disk's. The load is bounded like the others: a number of flows split across the instances.
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from '../test/support/postgres-cluster.js';
import { callbacks, createSessions, launches, newFlowQueue, type FlowQueue } from './flows.js';
import { together, type LoadResult } from './load.js';
import { startServer, type ServerProcess } from './processes.js';

export interface PostgresFlows {
  launch: LoadResult;
  callback: LoadResult;
}

export interface PostgresFigures {
  flows: number;
  oneInstance: PostgresFlows;
  twoInstances: PostgresFlows;
}

export interface PostgresBench {
  /** The gateway's bench bundle. */
  bundle: string;
  /** The gateway's environment on `databaseUrl`. */
  env: (databaseUrl: string) => Record<string, string>;
  nodeFlags: string[];
  /** Flows measured (launches, then callbacks), in all, whatever the number of instances. */
  flows: number;
  /** autocannon connections in all, split across the instances. */
  connections: number;
}

export async function measurePostgres(bench: PostgresBench): Promise<PostgresFigures> {
  const cluster = await startPostgresCluster();
  try {
    const oneInstance = await onFreshDatabase(cluster, 'bench_one_instance', bench, 1);
    const twoInstances = await onFreshDatabase(cluster, 'bench_two_instances', bench, 2);
    return { flows: bench.flows, oneInstance, twoInstances };
  } finally {
    await cluster.destroy();
  }
}

async function onFreshDatabase(cluster: PostgresCluster, name: string, bench: PostgresBench, instances: number): Promise<PostgresFlows> {
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} owner gateway`);
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  const servers: ServerProcess[] = [];
  try {
    // One after the other: the first migrates the database, the next finds it done.
    for (let i = 0; i < instances; i++) servers.push(await startServer(bench.bundle, [], bench.env(url.href), bench.nodeFlags));
    return await measureFlows(
      servers.map((server) => `http://127.0.0.1:${server.port}`),
      bench,
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** Sessions, launches and callbacks, each step spread evenly over `urls` at once; one queue feeds them all. */
async function measureFlows(urls: string[], bench: PostgresBench): Promise<PostgresFlows> {
  const queue = newFlowQueue();
  const warmUp = Math.min(500, Math.ceil(bench.flows / 4));
  const connections = Math.max(1, Math.floor(bench.connections / urls.length));
  const spread = (step: (url: string, queue: FlowQueue, amount: number, connections: number) => Promise<LoadResult>, amount: number) =>
    Promise.all(urls.map((url) => step(url, queue, Math.ceil(amount / urls.length), connections))).then(together);
  await spread(createSessions, bench.flows + 2 * warmUp);
  await spread(launches, warmUp);
  const launch = await spread(launches, bench.flows);
  await spread(callbacks, warmUp);
  const callback = await spread(callbacks, bench.flows);
  return { launch, callback };
}
