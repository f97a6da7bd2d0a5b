// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, a server on a free 127.0.0.1 port,
// an application role with a password and its own database, and stop + remove at the end. It needs only the
// server binaries of Debian's `postgresql` package; nothing outside the temporary folder is touched.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface PostgresCluster {
  /** The application's URL: role `gateway` (password) on database `gateway`. */
  readonly url: string;
  /** The superuser's URL, to create and drop databases. */
  readonly adminUrl: string;
  readonly port: number;
  /** Stops the server (fast shutdown: sessions are terminated), keeping its files. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops the server and removes every file of the cluster. */
  destroy(): Promise<void>;
}

/** The application role of every throwaway cluster (its password is only good for a cluster that lives minutes). */
export const applicationRole = { user: 'gateway', password: 'gateway-test-password', database: 'gateway' } as const;
const admin = { user: 'postgres', password: 'postgres-test-password' } as const;

/** Debian's layout, newest version first. */
function debianBinaryDirs(): string[] {
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return [];
  const versions = readdirSync(debian)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => path.join(debian, version, 'bin'));
}

/**
 * The server binaries: in PG_BIN_DIR when it is set, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout), else
 * the PATH. Missing binaries are an error naming the package, never a reason to skip PostgreSQL tests.
 */
export function findPostgresBinaries(): string {
  // A folder named in PG_BIN_DIR is the only place looked: a wrong one is an error, not a fallback.
  const candidates = process.env.PG_BIN_DIR ? [process.env.PG_BIN_DIR] : [...debianBinaryDirs(), ...(process.env.PATH ?? '').split(path.delimiter)];
  const found = candidates.filter(Boolean).find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((name) => existsSync(path.join(dir, name))));
  if (found) return found;
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in PG_BIN_DIR, /usr/lib/postgresql/<version>/bin or the PATH. ' +
      "The PostgreSQL tests need them: install Debian's package (apt-get install postgresql) or set PG_BIN_DIR.",
  );
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user and runs as it. */
const asRoot = process.getuid?.() === 0;

/** Runs a server binary in `cwd` (the cluster's folder: the owner may not be allowed into the working directory). */
async function runAsOwner(binary: string, args: string[], cwd: string): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  try {
    await run(file, argv, { timeout: 120_000, cwd });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(binary)} failed: ${(error as Error).message}\n${stdout}\n${stderr}`, { cause: error });
  }
}

async function chownToOwner(file: string): Promise<void> {
  if (!asRoot) return;
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(file, Number(stdout.trim()), Number(gid.trim()));
}

// Durability is worth nothing to a cluster that lives for one test run; speed is.
const serverSettings = `
listen_addresses = '127.0.0.1'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
# pg leaves the socket of a failed authentication open (a URL without a password): the backend then waits here,
# and meanwhile DROP DATABASE ... WITH (FORCE) waits for it, in every test file on the cluster.
authentication_timeout = '2s'
`;

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  // As root, /tmp: a TMPDIR under root's home would be out of the postgres user's reach.
  const root = await mkdtemp(path.join(asRoot ? '/tmp' : tmpdir(), 'zcg-postgres-'));
  await chownToOwner(root);
  const data = path.join(root, 'data');
  const pwfile = path.join(root, 'superuser-password');
  await writeFile(pwfile, admin.password);
  await chownToOwner(pwfile);
  const port = await freePort();
  const pgCtl = (...args: string[]) => runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(root, 'server.log'), ...args], root);

  let started = false;
  const destroy = async () => {
    if (started) await pgCtl('stop', '-m', 'immediate', '-w').catch(() => {});
    started = false;
    await rm(root, { recursive: true, force: true });
  };
  try {
    await runAsOwner(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', admin.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
      root,
    );
    await appendFile(path.join(data, 'postgresql.conf'), `${serverSettings}port = ${port}\nunix_socket_directories = '${root}'\n`);
    const start = async () => {
      await pgCtl('start', '-w', '-t', '60');
      started = true;
    };
    await start();

    const adminUrl = `postgres://${admin.user}:${admin.password}@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`create role ${applicationRole.user} login password '${applicationRole.password}'`);
      await client.query(`create database ${applicationRole.database} owner ${applicationRole.user}`);
    } finally {
      await client.end();
    }
    return {
      url: `postgres://${applicationRole.user}:${applicationRole.password}@127.0.0.1:${port}/${applicationRole.database}`,
      adminUrl,
      port,
      start,
      stop: async () => {
        await pgCtl('stop', '-m', 'fast', '-w');
        started = false;
      },
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
