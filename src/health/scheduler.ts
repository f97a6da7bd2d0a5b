// Runs the health sync every HEALTH_SYNC_INTERVAL_S. It never overlaps with itself: a tick that finds a run
// still going is skipped, and with several instances on one database a lease lets one of them run it (the
// holder keeps it from tick to tick; another takes over when it lapses). A failed run is logged and tried
// again after a backoff that doubles with each failure in a row (a 429 also pauses the list budget itself).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { HEALTH_CALL_BUDGET, RequestBudget } from './request-budget.js';
import { runHealthSync, type HealthDeps, type HealthSyncSummary } from './sync.js';

export const HEALTH_SYNC_LEASE = 'health-sync';

export type TickResult =
  | { outcome: 'ok'; summary: HealthSyncSummary }
  | { outcome: 'failed'; error: unknown }
  | { outcome: 'skipped'; reason: 'running' | 'backoff' | 'not_leader' | 'stopped' };

export interface HealthSyncOptions {
  intervalMs: number;
  /** Longest wait after failures in a row. */
  maxBackoffMs?: number;
  /** The retrieve/validate/log budget (HEALTH_CALLS_PER_MIN by default, kept in the store). */
  callBudget?: RequestBudget;
  /** Pages of Recall's list one run reads at most (half the list budget of an interval by default). */
  listPagesPerRun?: number;
  holder?: string;
  /** After every run that was not skipped (metrics). */
  onRun?: (result: Exclude<TickResult, { outcome: 'skipped' }>, finishedAt: Date) => void;
}

export interface HealthSync {
  /** One tick, as the timer does it: runs unless a run is going, a backoff is on, or another instance leads. */
  tick(): Promise<TickResult>;
  /** Stops the timer, waits for a run in progress and hands the lease back. */
  stop(): Promise<void>;
}

export function createHealthSync(deps: HealthDeps, options: HealthSyncOptions): HealthSync & { schedule(): void } {
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  // In the store: an instance that takes the lease over spends what the last holder left of it.
  const callBudget =
    options.callBudget ??
    new RequestBudget({ store: deps.store, name: HEALTH_CALL_BUDGET, perMinute: deps.config.healthCallsPerMinute, now: () => deps.now().getTime() });
  const maxBackoffMs = Math.max(options.maxBackoffMs ?? 15 * 60_000, options.intervalMs);
  // Long enough to cover a slow run; renewed at every tick and between the steps of a run.
  const leaseMs = Math.max(3 * options.intervalMs, 120_000);
  let running: Promise<TickResult> | undefined;
  let failuresInARow = 0;
  let backoffUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const lead = () => deps.store.acquireLease({ name: HEALTH_SYNC_LEASE, holder, now: deps.now().toISOString(), ttlMs: leaseMs });

  async function run(): Promise<TickResult> {
    let result: Exclude<TickResult, { outcome: 'skipped' }>;
    try {
      if (!(await lead())) return { outcome: 'skipped', reason: 'not_leader' };
      const checkpoint = async () => {
        if (!(await lead())) throw new Error('the health sync lease was taken over by another instance');
      };
      result = { outcome: 'ok', summary: await runHealthSync(deps, { callBudget, checkpoint, listPagesPerRun: options.listPagesPerRun }) };
      failuresInARow = 0;
      backoffUntil = 0;
      deps.log.info({ ...result.summary }, 'health sync done');
    } catch (error) {
      failuresInARow++;
      const waitMs = Math.min(maxBackoffMs, options.intervalMs * 2 ** failuresInARow);
      backoffUntil = deps.now().getTime() + waitMs;
      result = { outcome: 'failed', error };
      deps.log.error({ err: error, failuresInARow, retryInMs: waitMs }, 'health sync failed; will retry');
    }
    options.onRun?.(result, deps.now());
    return result;
  }

  async function tick(): Promise<TickResult> {
    if (stopped) return { outcome: 'skipped', reason: 'stopped' };
    if (running) return { outcome: 'skipped', reason: 'running' };
    if (deps.now().getTime() < backoffUntil) return { outcome: 'skipped', reason: 'backoff' };
    running = run().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    tick,
    schedule() {
      timer = setInterval(() => void tick(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await deps.store.releaseLease(HEALTH_SYNC_LEASE, holder).catch(() => undefined);
    },
  };
}

/** The sync of a running gateway: the first run one interval after start, then every interval. */
export function startHealthSync(deps: HealthDeps, options: HealthSyncOptions): HealthSync {
  const sync = createHealthSync(deps, options);
  sync.schedule();
  return { tick: sync.tick, stop: sync.stop };
}
