// WAL checkpoints (committed pages copied from the -wal file back into the database file, each file fsync'ed) on a
// thread of their own. By default SQLite checkpoints in the commit that takes the WAL past 1000 pages, on the
// thread that commits: that request waits for a thousand page writes and two fsyncs (stalls of 10 ms and more
// under the bench's load; in a CPU profile of the launch, checkpoints and their fsyncs were about 9% of the time).
// Here a worker thread with a connection of its own runs PASSIVE checkpoints, which never block a writer or a
// reader, and the serving connection only checkpoints itself past a much larger WAL: a backstop, should the
// worker fall behind or stop.
//
// The worker starts a second after the store opens, so a short-lived store (a test, `npm run doctor`) and the cold
// start pay nothing for it; until then, and if it stops, SQLite checkpoints as it always does.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

const defaultAutocheckpointPages = 1000;
/** The serving connection's own checkpoint, while the worker runs: about 40 MB of WAL. */
const backstopAutocheckpointPages = 10_000;
const startAfterMs = 1000;
const everyMs = 200;

// CommonJS, evaluated by the worker: better-sqlite3 is resolved by the opening thread and handed over by path.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function checkpointInBackground(filename: string, sqlite: BetterSqlite3.Database): Checkpointer {
  let worker: Worker | undefined;
  const start = () => {
    worker = new Worker(workerSource, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), filename, everyMs },
      // It holds one statement and a timer.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    sqlite.pragma(`wal_autocheckpoint = ${backstopAutocheckpointPages}`);
    // A worker that failed (the file gone, a driver error) leaves checkpoints to SQLite again.
    worker.once('error', () => {
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${defaultAutocheckpointPages}`);
      worker = undefined;
    });
  };
  const timer = setTimeout(start, startAfterMs);
  timer.unref();
  return {
    async stop() {
      clearTimeout(timer);
      const stopping = worker;
      worker = undefined;
      if (!stopping) return;
      const exited = new Promise<void>((resolve) => stopping.once('exit', () => resolve()));
      stopping.postMessage('stop');
      await exited;
    },
  };
}
