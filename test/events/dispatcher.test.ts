// The outbox dispatcher against a real receiver that verifies every signature with the standardwebhooks
// library: at-least-once delivery, per end user order, backoff, giving up after 24 hours, several dispatchers.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliverer } from '../../src/events/delivery.js';
import { createOutboxDispatcher, retryDelayMs, type DispatcherDeps } from '../../src/events/dispatcher.js';
import { openStore } from '../../src/store/index.js';
import type { OutboxEntry, Store } from '../../src/store/store.js';
import { connectFailed } from '../../src/events/bodies.js';
import { loadSpec, schemaValidator } from '../support/spec.js';
import { aCredential, aSave } from '../store/contract/fixtures.js';
import { webhookSecret } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';
import { publish, saveAndAnnounce } from '../support/store-changes.js';

const HOUR_S = 3600;
const validate = schemaValidator(loadSpec('gateway'));

let store: Store;
let receiver: Receiver;
let clock: { now: Date; advance(seconds: number): void };
const logs: string[] = [];

beforeEach(async () => {
  store = await openStore('sqlite::memory:', { events: true });
  receiver = await startReceiver(webhookSecret);
  clock = { now: new Date('2026-12-01T10:00:00.000Z'), advance: (s) => (clock.now = new Date(clock.now.getTime() + s * 1000)) };
  logs.length = 0;
});
afterEach(async () => {
  await receiver.close();
  await store.close();
});

function dispatcher(overrides: Partial<DispatcherDeps> = {}) {
  const log = {
    info: (d: object, m: string) => logs.push(m),
    warn: (d: object, m: string) => logs.push(m),
    error: (d: object, m: string) => logs.push(m),
  };
  return createOutboxDispatcher({
    store,
    now: () => clock.now,
    log,
    deliver: webhookDeliverer({ url: receiver.url, secret: webhookSecret }, { timeoutMs: 2000 }),
    random: () => 1,
    ...overrides,
  });
}

const failed = (endUserId: string, code: string): OutboxEntry => connectFailed(endUserId, null, code as 'access_denied');
const codes = (events: { type: string; data: unknown }[]) => events.map((event) => (event.data as { code?: string }).code);

describe('the outbox dispatcher', () => {
  it('delivers every event signed the Standard Webhooks way, with a body gateway.yaml describes', async () => {
    const credential = aCredential({ id: randomUUID() });
    const saved = await saveAndAnnounce(store, aSave('user_42', credential, { now: clock.now.toISOString() }));
    await publish(store, failed('user_7', 'access_denied'), clock.now.toISOString());
    expect(await dispatcher().drain()).toEqual({ delivered: 2, retried: 0, failed: 0 });

    expect(receiver.forged).toEqual([]);
    const [created, connectFailed] = receiver.deliveries;
    expect(created!.event).toMatchObject({
      type: 'connection.created',
      timestamp: clock.now.toISOString(),
      data: { connection: { id: saved.connection.id, end_user_id: 'user_42', status: 'connected' } },
    });
    expect(connectFailed!.event).toMatchObject({
      type: 'connect.failed',
      data: { end_user_id: 'user_7', connection_id: null, code: 'access_denied' },
    });
    for (const delivery of receiver.deliveries) {
      expect(delivery.event.id).toBe(delivery.id);
      expect(Math.abs(Number(delivery.timestamp) - Date.now() / 1000)).toBeLessThan(60);
      expect(validate('/components/schemas/GatewayEvent', delivery.event)).toEqual([]);
    }
    expect(await store.outboxBacklog()).toEqual({ pending: 0, oldestCreatedAt: null });
  });

  it('gets the events to a receiver that answered errors later, in order, under the same webhook-id', async () => {
    for (const code of ['access_denied', 'zoom_error', 'code_missing']) await publish(store, failed('user_42', code), clock.now.toISOString());
    receiver.status = 503;
    expect(await dispatcher().drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    // Only the first event was tried: the next ones wait for it.
    expect(codes(receiver.deliveries.map((d) => d.event))).toEqual(['access_denied']);

    receiver.status = 200;
    expect(await dispatcher().drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    clock.advance(5);
    expect(await dispatcher().drain()).toEqual({ delivered: 3, retried: 0, failed: 0 });
    expect(codes(receiver.acknowledged())).toEqual(['access_denied', 'zoom_error', 'code_missing']);
    expect(receiver.deliveries[0]!.id).toBe(receiver.deliveries[1]!.id);
  });

  it('gets the events to a receiver that was down (its port closed) once it is back', async () => {
    await publish(store, failed('user_42', 'access_denied'), clock.now.toISOString());
    await publish(store, failed('user_42', 'zoom_error'), clock.now.toISOString());
    await receiver.down();
    expect(await dispatcher().drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    clock.advance(5);
    expect(await dispatcher().drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    await receiver.up();
    clock.advance(10);
    expect(await dispatcher().drain()).toEqual({ delivered: 2, retried: 0, failed: 0 });
    expect(codes(receiver.acknowledged())).toEqual(['access_denied', 'zoom_error']);
    expect(receiver.forged).toEqual([]);
  });

  it('keeps delivering other end users while one end user waits for a retry', async () => {
    await publish(store, failed('user_ada', 'access_denied'), clock.now.toISOString());
    await publish(store, failed('user_ada', 'zoom_error'), clock.now.toISOString());
    const flaky = webhookDeliverer({ url: receiver.url, secret: webhookSecret }, { timeoutMs: 2000 });
    const deliver: DispatcherDeps['deliver'] = async (attempt) =>
      attempt.body.includes('user_ada') && clock.now.getTime() < Date.parse('2026-12-01T11:00:00.000Z')
        ? { delivered: false, error: 'HTTP 503' }
        : flaky(attempt);
    await publish(store, failed('user_bob', 'code_missing'), clock.now.toISOString());
    expect(await dispatcher({ deliver }).drain()).toEqual({ delivered: 1, retried: 1, failed: 0 });
    expect(codes(receiver.acknowledged())).toEqual(['code_missing']);
    clock.advance(HOUR_S);
    await dispatcher({ deliver }).drain();
    expect(codes(receiver.acknowledged())).toEqual(['code_missing', 'access_denied', 'zoom_error']);
  });

  it('backs off exponentially, gives an event up after 24 hours, then goes on with the end user next event', async () => {
    await publish(store, failed('user_42', 'access_denied'), clock.now.toISOString());
    receiver.status = 500;
    const attemptsAt: number[] = [];
    for (let minute = 0; minute <= 24 * 60; minute++) {
      if (minute === 12 * 60) await publish(store, failed('user_42', 'zoom_error'), clock.now.toISOString());
      const before = receiver.deliveries.length;
      const summary = await dispatcher().drain();
      if (receiver.deliveries.length > before) attemptsAt.push(minute);
      if (minute < 24 * 60) expect(summary.failed, `minute ${minute}`).toBe(0);
      else expect(summary).toEqual({ delivered: 0, retried: 1, failed: 1 });
      clock.advance(60);
    }
    const gaps = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!);
    // 5 s, 10 s, 20 s, 40 s, 80 s, 160 s, 320 s ... at most an hour (checked once a minute here).
    expect(gaps.slice(0, 7)).toEqual([1, 1, 1, 1, 2, 3, 6]);
    expect(Math.max(...gaps)).toBe(60);
    // The last attempt falls on the 24th hour, when the first event is given up; the next one was tried at once.
    expect(attemptsAt.at(-1)).toBe(24 * 60);
    expect(codes(receiver.deliveries.slice(-2).map((d) => d.event))).toEqual(['access_denied', 'zoom_error']);
    expect(logs).toContain('webhook event given up: not delivered within its retry period');

    receiver.status = 200;
    clock.advance(3600);
    await dispatcher().drain();
    expect(codes(receiver.acknowledged())).toEqual(['zoom_error']);
  });

  it('never delivers one event twice from two dispatchers sharing the database', async () => {
    for (let i = 0; i < 30; i++) await publish(store, failed(`user_${randomUUID()}`, 'access_denied'), clock.now.toISOString());
    const [one, two] = [dispatcher({ holder: 'instance-1' }), dispatcher({ holder: 'instance-2' })];
    const first = one.drain();
    // A drain asked for while one runs joins it: a dispatcher never overlaps with itself.
    expect(one.drain()).toBe(first);
    const summaries = await Promise.all([first, two.drain()]);
    expect(summaries.reduce((sum, s) => sum + s.delivered, 0)).toBe(30);
    expect(new Set(receiver.deliveries.map((d) => d.id)).size).toBe(30);
    expect(receiver.deliveries).toHaveLength(30);
  });

  it('delivers again, under the same id, an event whose claim lapsed before it was acknowledged (a crash)', async () => {
    await publish(store, failed('user_42', 'access_denied'), clock.now.toISOString());
    const [claimed] = await store.claimEvents({ holder: 'crashed', now: clock.now.toISOString(), leaseMs: 60_000, limit: 10 });
    expect(await dispatcher().drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    clock.advance(60);
    expect(await dispatcher().drain()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(receiver.deliveries.map((d) => d.id)).toEqual([claimed!.id]);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base delay up to the ceiling, with equal jitter', () => {
    const settings = { baseDelayMs: 5000, maxDelayMs: 3600_000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, settings, () => 1))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(1, settings, () => 0)).toBe(2500);
    expect(retryDelayMs(30, settings, () => 1)).toBe(3600_000);
  });
});
