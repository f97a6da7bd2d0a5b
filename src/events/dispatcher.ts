// Delivers the outbox: claims due events (each end user's oldest pending one, so an end user's events go out
// in order), delivers them signed, and records the outcome. At least once: an event is marked delivered only
// after a 2xx, and a claim that is never finished (a crash) expires and is claimed again. A failed attempt is
// retried with exponential backoff until the event is `maxAgeMs` old, then given up, so the end user's next
// events can go.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { OutboxEvent, Store } from '../store/store.js';
import type { Deliverer, DeliveryOutcome } from './delivery.js';
import { eventBody, UnreadableEventError } from './payload.js';

/** Where the dispatcher says what it did (pino's shape). */
export interface DispatcherLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface DispatcherSettings {
  /** How often the outbox is looked at. */
  pollMs: number;
  /** Events claimed at once (each of another end user). */
  batchSize: number;
  /** How long a claim holds: longer than a delivery may take (timeoutMs). */
  claimMs: number;
  /** Retried until the event is this old, then given up. */
  maxAgeMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Delivered and given-up events are deleted this long after they finished. */
  retentionMs: number;
}

export const defaultDispatcherSettings: DispatcherSettings = {
  pollMs: 1000,
  batchSize: 20,
  claimMs: 60_000,
  maxAgeMs: 24 * 3600_000,
  baseDelayMs: 5_000,
  maxDelayMs: 3600_000,
  retentionMs: 7 * 24 * 3600_000,
};

export type AttemptResult = 'delivered' | 'retried' | 'failed';

export interface DispatcherDeps {
  store: Store;
  /** The clock of the outbox (claims, backoff, age). */
  now: () => Date;
  log: DispatcherLogger;
  deliver: Deliverer;
  /** When an attempt is signed: the receiver compares it with its own clock, so it is the real time. */
  signingNow?: () => Date;
  random?: () => number;
  /** Who claims: unique per dispatcher, so instances sharing a database never finish each other's claims. */
  holder?: string;
  onAttempt?: (result: AttemptResult) => void;
}

export interface DrainSummary {
  delivered: number;
  retried: number;
  failed: number;
}

export interface OutboxDispatcher {
  /** Delivers every event due now, batch after batch; a drain already running is joined, never doubled. */
  drain(): Promise<DrainSummary>;
  /** Stops polling and waits for the deliveries in flight. */
  stop(): Promise<void>;
}

/** Equal jitter: between half and all of the exponential delay, so retries of many events spread out. */
export function retryDelayMs(attempts: number, settings: Pick<DispatcherSettings, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

export function createOutboxDispatcher(deps: DispatcherDeps, overrides: Partial<DispatcherSettings> = {}): OutboxDispatcher & { poll(): void } {
  const settings = { ...defaultDispatcherSettings, ...overrides };
  const holder = deps.holder ?? `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  const random = deps.random ?? Math.random;
  const signingNow = deps.signingNow ?? (() => new Date());
  let running: Promise<DrainSummary> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastPurge = 0;

  async function attempt(outbox: OutboxEvent): Promise<AttemptResult> {
    const outcome = await deliver(outbox);
    const now = deps.now();
    if (outcome.delivered) {
      await deps.store.markEventDelivered(outbox.id, holder, now.toISOString());
      return 'delivered';
    }
    const details = { eventId: outbox.id, type: outbox.type, attempts: outbox.attempts + 1, error: outcome.error };
    const giveUpAt = Date.parse(outbox.createdAt) + settings.maxAgeMs;
    if (now.getTime() >= giveUpAt) {
      await deps.store.markEventFailed(outbox.id, holder, { now: now.toISOString(), error: outcome.error });
      deps.log.error(details, 'webhook event given up: not delivered within its retry period');
      return 'failed';
    }
    // The last attempt falls on the end of the retry period itself.
    const next = Math.min(now.getTime() + retryDelayMs(outbox.attempts + 1, settings, random), giveUpAt);
    await deps.store.rescheduleEvent(outbox.id, holder, { nextAttemptAt: new Date(next).toISOString(), error: outcome.error });
    deps.log.warn({ ...details, nextAttemptAt: new Date(next).toISOString() }, 'webhook delivery failed; will retry');
    return 'retried';
  }

  /** One attempt; a body this gateway cannot read fails like a refused delivery, and is retried the same way. */
  async function deliver(outbox: OutboxEvent): Promise<DeliveryOutcome> {
    let body: string;
    try {
      body = JSON.stringify(eventBody(outbox));
    } catch (error) {
      if (error instanceof UnreadableEventError) return { delivered: false, error: error.message };
      throw error;
    }
    return deps.deliver({ id: outbox.id, body, signedAt: signingNow() });
  }

  async function drainOnce(): Promise<DrainSummary> {
    const summary: DrainSummary = { delivered: 0, retried: 0, failed: 0 };
    while (!stopped) {
      const claimed = await deps.store.claimEvents({ holder, now: deps.now().toISOString(), leaseMs: settings.claimMs, limit: settings.batchSize });
      if (claimed.length === 0) break;
      // One event per end user in a batch: delivering them side by side keeps each end user's order.
      const results = await Promise.all(
        claimed.map((outbox) =>
          attempt(outbox).catch((error: unknown) => {
            // The claim stays until it expires; the event is attempted again then.
            deps.log.error({ err: error, eventId: outbox.id }, 'could not record a webhook delivery');
            return undefined;
          }),
        ),
      );
      for (const result of results) {
        if (result === undefined) continue;
        summary[result]++;
        deps.onAttempt?.(result);
      }
      if (results.every((result) => result === undefined)) break;
    }
    await purge();
    return summary;
  }

  async function purge(): Promise<void> {
    const now = deps.now().getTime();
    if (now - lastPurge < 3600_000) return;
    lastPurge = now;
    await deps.store.purgeFinishedEvents(new Date(now - settings.retentionMs).toISOString());
  }

  function drain(): Promise<DrainSummary> {
    running ??= drainOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  function poll(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      drain()
        .catch((error: unknown) => deps.log.error({ err: error }, 'webhook outbox: delivery round failed; retrying'))
        .finally(poll);
    }, settings.pollMs);
    timer.unref();
  }

  return {
    drain,
    poll,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** The dispatcher of a running gateway: polls the outbox every `pollMs` until stopped. */
export function startOutboxDispatcher(deps: DispatcherDeps, overrides: Partial<DispatcherSettings> = {}): OutboxDispatcher {
  const dispatcher = createOutboxDispatcher(deps, overrides);
  dispatcher.poll();
  return { drain: dispatcher.drain, stop: dispatcher.stop };
}
