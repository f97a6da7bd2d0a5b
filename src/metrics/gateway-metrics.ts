// The gateway's Prometheus metrics, on a registry of its own per app (never prom-client's global one, so tests
// that build many apps in one process never collide). The outbox gauges are read from the store at each scrape.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallReport } from '../recall/call.js';
import type { OutboxBacklog } from '../store/store.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** A launch: `started` (sent to Zoom) or the problem code that stopped it. */
  flowStarted(outcome: string): void;
  /** A callback: `connected`, `restarted` or the problem code. */
  flowFinished(outcome: string): void;
  /** For the Recall client's `onCall`: one HTTP call to Recall. */
  recallCall(call: CallReport): void;
  webhookAttempt(result: 'delivered' | 'retried' | 'failed'): void;
  healthSyncRun(result: 'ok' | 'failed', finishedAt: Date): void;
  /** Where the outbox gauges read from, at each scrape. */
  watchOutbox(backlog: () => Promise<OutboxBacklog>, now: () => Date): void;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const flowsStarted = new Counter({
    name: 'zcg_connect_flows_started_total',
    help: 'Connect flows launched, by outcome (started, or the problem code).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const flowsFinished = new Counter({
    name: 'zcg_connect_flows_finished_total',
    help: 'Connect flows finished at the callback, by outcome (connected, restarted, or the problem code).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const recallCalls = new Counter({
    name: 'zcg_recall_calls_total',
    help: 'HTTP calls to Recall, by operation and status.',
    labelNames: ['operation', 'status'] as const,
    registers,
  });
  const recallDuration = new Histogram({
    name: 'zcg_recall_call_duration_seconds',
    help: 'Duration of HTTP calls to Recall, by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const webhookAttempts = new Counter({
    name: 'zcg_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by result (delivered, retried, failed when given up).',
    labelNames: ['result'] as const,
    registers,
  });
  const healthRuns = new Counter({
    name: 'zcg_health_sync_runs_total',
    help: 'Health sync runs, by result.',
    labelNames: ['result'] as const,
    registers,
  });
  const healthLastRun = new Gauge({
    name: 'zcg_health_sync_last_run_timestamp_seconds',
    help: 'When the last health sync run finished (Unix time).',
    registers,
  });
  const healthLastSuccess = new Gauge({
    name: 'zcg_health_sync_last_success',
    help: '1 when the last health sync succeeded, 0 when it failed.',
    registers,
  });
  const healthLastSuccessAt = new Gauge({
    name: 'zcg_health_sync_last_success_timestamp_seconds',
    help: 'When the last successful health sync run finished (Unix time).',
    registers,
  });
  let outbox: { backlog: () => Promise<OutboxBacklog>; now: () => Date } | undefined;
  new Gauge({
    name: 'zcg_outbox_pending_events',
    help: 'Events in the outbox not delivered yet.',
    registers,
    async collect() {
      if (outbox) this.set((await outbox.backlog()).pending);
    },
  });
  new Gauge({
    name: 'zcg_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event in the outbox not delivered yet (0 when none).',
    registers,
    async collect() {
      if (!outbox) return;
      const { oldestCreatedAt } = await outbox.backlog();
      this.set(oldestCreatedAt === null ? 0 : Math.max(0, (outbox.now().getTime() - Date.parse(oldestCreatedAt)) / 1000));
    },
  });

  return {
    registry,
    flowStarted: (outcome) => flowsStarted.inc({ outcome }),
    flowFinished: (outcome) => flowsFinished.inc({ outcome }),
    recallCall(call) {
      recallCalls.inc({ operation: call.operation, status: String(call.status) });
      recallDuration.observe({ operation: call.operation }, call.durationMs / 1000);
    },
    webhookAttempt: (result) => webhookAttempts.inc({ result }),
    healthSyncRun(result, finishedAt) {
      const seconds = finishedAt.getTime() / 1000;
      healthRuns.inc({ result });
      healthLastRun.set(seconds);
      healthLastSuccess.set(result === 'ok' ? 1 : 0);
      if (result === 'ok') healthLastSuccessAt.set(seconds);
    },
    watchOutbox(backlog, now) {
      outbox = { backlog, now };
    },
  };
}
