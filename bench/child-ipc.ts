// The benchmark's server processes talk to bench/run.ts over IPC: "ready" with the port once listening, their
// memory, garbage-collection pauses and event-loop delay when asked (since the last reset), and a clean exit on
// SIGTERM.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
export interface Ready {
  type: 'ready';
  port: number;
  stubUrl?: string;
}

export interface Stats {
  type: 'stats';
  /** Peak resident set size of the process so far (getrusage maxrss). */
  maxRssBytes: number;
  /** Now: what the peak was made of, roughly (V8 heap in use and reserved, memory outside it). */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** CPU time the process has used so far (user and system), µs: per request, a figure a busy machine disturbs less than req/s. */
  cpuUs: number;
  /** Since the last reset: GC pauses, and how late the event loop ran (what a request waiting on it waits). */
  gc: { pauses: number; over5ms: number; maxMs: number; totalMs: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export function serveIpc(port: number, close: () => Promise<void>, extra: Partial<Ready> = {}): void {
  const gc = { pauses: 0, over5ms: 0, maxMs: 0, totalMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      if (entry.duration > 5) gc.over5ms += 1;
    }
  }).observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const ms = (ns: number) => Math.round(ns / 10_000) / 100;

  process.on('message', (message: { type?: string; reset?: boolean; file?: string }) => {
    if (message?.type === 'heap-snapshot') {
      // After a full GC: what the step left alive.
      globalThis.gc?.();
      writeHeapSnapshot(message.file);
      process.send?.({ type: 'heap-snapshot' });
      return;
    }
    if (message?.type === 'cpu-profile' || message?.type === 'heap-profile') {
      profile(message.type, message.file);
      return;
    }
    if (message?.type !== 'stats') return;
    const memory = process.memoryUsage();
    const stats: Stats = {
      type: 'stats',
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      cpuUs: (({ user, system }) => user + system)(process.cpuUsage()),
      gc: { ...gc, maxMs: Math.round(gc.maxMs * 100) / 100, totalMs: Math.round(gc.totalMs) },
      eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
    };
    if (message.reset) {
      Object.assign(gc, { pauses: 0, over5ms: 0, maxMs: 0, totalMs: 0 });
      loopDelay.reset();
    }
    process.send?.(stats);
  });
  process.once('SIGTERM', () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.({ type: 'ready', port, ...extra } satisfies Ready);
}

let profiler: Session | undefined;

/**
 * bench/profile.ts's profiles of one step of the load: a CPU profile, or a sampling heap profile (what allocated,
 * by function), started by a message without `file`, stopped and written to `file` by the next; each answered
 * with a message of the same type.
 */
function profile(type: 'cpu-profile' | 'heap-profile', file: string | undefined): void {
  const done = () => process.send?.({ type });
  const [start, stop] = type === 'cpu-profile' ? ['Profiler.start', 'Profiler.stop'] : ['HeapProfiler.startSampling', 'HeapProfiler.stopSampling'];
  if (file === undefined) {
    profiler = new Session();
    profiler.connect();
    if (type === 'cpu-profile')
      profiler.post('Profiler.setSamplingInterval', { interval: 200 }, () => profiler!.post('Profiler.enable', () => profiler!.post(start, done)));
    else
      profiler.post('HeapProfiler.enable', () =>
        profiler!.post(start, { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, done),
      );
    return;
  }
  profiler?.post(stop, (error, result) => {
    if (!error) writeFileSync(file, JSON.stringify((result as { profile: unknown }).profile));
    profiler?.disconnect();
    profiler = undefined;
    done();
  });
}
