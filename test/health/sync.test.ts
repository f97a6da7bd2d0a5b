// The health sync on Prism as Recall: credentials Recall lists as unhealthy turn their connections needs_reauth,
// pages are followed, a 429 slows the sync without losing anything, recovered and vanished credentials are
// noticed, and development apps get active checks within their own call budget.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHealthSync, type HealthSyncOptions } from '../../src/health/scheduler.js';
import { RequestBudget } from '../../src/health/request-budget.js';
import type { HealthDeps } from '../../src/health/sync.js';
import { connectionOn, credentialSnapshot, useHarness, webhookSecret, type HarnessGateway } from '../events/harness.js';
import { eventBody } from '../../src/events/payload.js';

// The Recall mock's story (openapi/recall.yaml).
const conflictingAccount = '15af756b-f524-4e70-8cc9-74f772d4c94c'; // list example conflicting_account_page: unhealthy
const reauthorized = 'e96244cc-23c8-43cf-b039-59b2526ab397'; // list example first_page_with_next: healthy
const created = '3e61f7a6-1983-4b88-8a75-c5078831ee16'; // list example first_page_with_next: healthy

function logger() {
  const lines: { level: string; message: string; details: object }[] = [];
  const at = (level: string) => (details: object, message: string) => void lines.push({ level, message, details });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

function healthSync(gateway: HarnessGateway, options: Partial<HealthSyncOptions> & { deps?: Partial<HealthDeps> } = {}) {
  const log = logger();
  const deps: HealthDeps = {
    config: gateway.config,
    store: gateway.store,
    recall: gateway.recallApi,
    now: () => gateway.clock.now,
    log,
    ...options.deps,
  };
  return { sync: createHealthSync(deps, { intervalMs: 60_000, ...options }), log };
}

const listCalls = (gateway: HarnessGateway) => gateway.recall.calls.filter((call) => call.operation === 'list');

describe('health sync', () => {
  // Only the sync's own timer is faked (Prism and the store keep real time): the test says when an interval passed.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const gateway = useHarness({ app: { healthSync: { intervalMs: 60_000 } } });

  it('turns the connection of a credential Recall lists as unhealthy into needs_reauth within one interval', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(conflictingAccount, { accountId: 'Qo2hX07epz8S0xQpWGvtVg' }));
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
    vi.advanceTimersByTime(59_999);
    expect(listCalls(gateway)).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await until(async () => (await gateway.store.getConnection(connection.id))?.status === 'needs_reauth');
    expect(await gateway.store.getConnection(connection.id)).toMatchObject({
      recallStatus: 'unhealthy',
      meetingSyncStatus: 'completed',
      lastCheckedAt: gateway.clock.now.toISOString(),
      updatedAt: gateway.clock.now.toISOString(),
    });
    expect(listCalls(gateway)).toHaveLength(1);
    const query = new URL(listCalls(gateway)[0]!.path, 'http://recall').searchParams;
    expect(Object.fromEntries(query)).toEqual({ oauth_app: gateway.config.recall.oauthAppId, status: 'unhealthy' });
  });
});

/** Polls (on real time) until `condition` holds, for at most five seconds. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('one health sync run', () => {
  const gateway = useHarness();

  it('follows next cursors through every page', async () => {
    const onFirstPage = await connectionOn(gateway, 'user_1', credentialSnapshot(reauthorized));
    const onSecondPage = await connectionOn(gateway, 'user_2', credentialSnapshot(conflictingAccount));
    gateway.recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=conflicting_account_page');
    const { sync } = healthSync(gateway);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { listed: 3 } });
    const [first, second] = listCalls(gateway);
    expect(new URL(first!.path, 'http://recall').searchParams.get('cursor')).toBeNull();
    expect(new URL(second!.path, 'http://recall').searchParams.get('cursor')).toBe('cD0yMDI1LTAzLTA0KzEwJTNBMTUlM0EyMi40ODE1MTYlMkIwMCUzQTAw');
    expect((await gateway.store.getConnection(onSecondPage.id))?.status).toBe('needs_reauth');
    // Recall's own status of each listed credential counts: this one it says is healthy.
    expect((await gateway.store.getConnection(onFirstPage.id))?.status).toBe('connected');
  });

  it('waits out a 429 (Retry-After) on the list budget, then loses nothing', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(conflictingAccount));
    gateway.recall.prefer('list', 'code=429, example=rate_limited', 'code=200, example=conflicting_account_page');
    const before = gateway.clock.now.getTime();
    const { sync } = healthSync(gateway);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok' });
    expect(listCalls(gateway).map((call) => call.prefer)).toEqual(['code=429, example=rate_limited', 'code=200, example=conflicting_account_page']);
    // Recall asked for 2 seconds (Retry-After: 2): the list budget held the next list call that long.
    expect(gateway.listBudget.waitedMs).toBeGreaterThanOrEqual(2000);
    expect(gateway.clock.now.getTime() - before).toBeGreaterThanOrEqual(2000);
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('needs_reauth');
    const metrics = await gateway.metrics.registry.getSingleMetricAsString('zcg_recall_calls_total');
    expect(metrics).toContain('zcg_recall_calls_total{operation="list",status="429"} 1');
  });

  it('backs off after a run Recall kept refusing with 429, and catches up on a later run', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(conflictingAccount));
    gateway.recall.prefer('list', ...Array<string>(4).fill('code=429, example=rate_limited'));
    const { sync, log } = healthSync(gateway);
    const failed = await sync.tick();
    expect(failed.outcome).toBe('failed');
    expect(log.lines.find((line) => line.level === 'error')?.message).toBe('health sync failed; will retry');
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('connected');

    gateway.clock.advance(60);
    expect(await sync.tick()).toEqual({ outcome: 'skipped', reason: 'backoff' });
    gateway.clock.advance(120);
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
    expect(await sync.tick()).toMatchObject({ outcome: 'ok' });
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('needs_reauth');
    // The service went on answering meanwhile.
    expect((await gateway.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('marks a connection connected again once Recall stops listing its credential as unhealthy and reads it healthy', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(reauthorized, { status: 'unhealthy' }));
    gateway.recall.prefer('list', 'code=200, example=empty_page');
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const { sync } = healthSync(gateway);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { listed: 0, rechecked: 1 } });
    expect(await gateway.store.getConnection(connection.id)).toMatchObject({
      status: 'connected',
      recallStatus: 'healthy',
      meetingSyncStatus: 'completed',
    });
  });

  it('detaches the connections of a credential Recall no longer has', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(reauthorized, { status: 'unhealthy' }));
    gateway.recall.prefer('list', 'code=200, example=empty_page');
    gateway.recall.prefer('retrieve', 'code=404, example=not_found');
    const { sync } = healthSync(gateway);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { gone: 1 } });
    expect(await gateway.store.getConnection(connection.id)).toMatchObject({ status: 'needs_reauth', recallCredentialId: null });
  });

  it('never overlaps with itself: a tick during a run is skipped', async () => {
    let release!: () => void;
    const slowList = new Promise<void>((resolve) => (release = resolve));
    const recall = { ...gateway.recallApi, listCredentialPage: async () => (await slowList, { results: [], next: null }) };
    const { sync } = healthSync(gateway, { deps: { recall } });
    const first = sync.tick();
    expect(await sync.tick()).toEqual({ outcome: 'skipped', reason: 'running' });
    release();
    expect(await first).toMatchObject({ outcome: 'ok' });
  });

  it('runs on one instance at a time: the lease holder runs it, another instance skips until the lease is free', async () => {
    gateway.recall.prefer('list', 'code=200, example=empty_page', 'code=200, example=empty_page');
    const one = healthSync(gateway, { holder: 'instance-1' }).sync;
    const two = healthSync(gateway, { holder: 'instance-2' }).sync;
    expect(await one.tick()).toMatchObject({ outcome: 'ok' });
    expect(await two.tick()).toEqual({ outcome: 'skipped', reason: 'not_leader' });
    await one.stop();
    expect(await two.tick()).toMatchObject({ outcome: 'ok' });
    await two.stop();
  });

  it('leaves a connection alone that was reconnected while the list was read', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(conflictingAccount));
    const recall = {
      ...gateway.recallApi,
      listCredentialPage: async () => {
        const page = await gateway.recallApi.listCredentialPage({ status: 'unhealthy' });
        // The user reconnects while Recall's answer is on its way.
        gateway.clock.advance(1);
        await connectionOn(gateway, 'user_42', credentialSnapshot(conflictingAccount));
        return page;
      },
    };
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
    const { sync } = healthSync(gateway, { deps: { recall } });
    expect(await sync.tick()).toMatchObject({ outcome: 'ok' });
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('connected');
  });
});

describe('health sync with outbound events', () => {
  const gateway = useHarness({ env: () => ({ WEBHOOK_URL: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: webhookSecret }) });

  it('writes connection.status_changed for every connection it turns needs_reauth', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(conflictingAccount));
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
    await healthSync(gateway).sync.tick();
    const [claimed] = await gateway.store.claimEvents({ holder: 'test', now: gateway.clock.now.toISOString(), leaseMs: 60_000, limit: 10 });
    expect(eventBody(claimed!)).toMatchObject({
      type: 'connection.status_changed',
      data: { previous_status: 'connected', connection: { id: connection.id, status: 'needs_reauth' } },
    });
  });
});

describe('active checks (HEALTH_VALIDATE) for development apps', () => {
  const gateway = useHarness({ env: () => ({ HEALTH_VALIDATE: 'true', HEALTH_VALIDATE_AFTER_S: '3600', HEALTH_CALLS_PER_MIN: '4' }) });

  it('validates and re-reads credentials not checked for HEALTH_VALIDATE_AFTER_S, and only those', async () => {
    const stale = await connectionOn(gateway, 'user_stale', credentialSnapshot(reauthorized));
    gateway.clock.advance(3000);
    const recent = await connectionOn(gateway, 'user_recent', credentialSnapshot(created));
    gateway.clock.advance(1000);
    gateway.recall.prefer('list', 'code=200, example=empty_page');
    gateway.recall.prefer('retrieve', 'code=200, example=unhealthy');
    const { sync } = healthSync(gateway);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { validated: 1 } });
    expect(gateway.recall.calls.map((call) => `${call.operation} ${call.path.split('?')[0]}`)).toEqual([
      'list /api/v2/zoom-oauth-credentials/',
      `validate /api/v2/zoom-oauth-credentials/${reauthorized}/validate/`,
      `retrieve /api/v2/zoom-oauth-credentials/${reauthorized}/`,
      // It turned unhealthy: Recall's log says why.
      'logs /api/v2/zoom-oauth-credential-logs/',
    ]);
    expect(await gateway.store.getConnection(stale.id)).toMatchObject({ status: 'needs_reauth', lastCheckedAt: gateway.clock.now.toISOString() });
    expect((await gateway.store.getConnection(recent.id))?.status).toBe('connected');
  });

  it('validates no more per run than HEALTH_CALLS_PER_MIN allows, and waits for its call budget', async () => {
    for (let i = 0; i < 3; i++) await connectionOn(gateway, `user_${i}`, credentialSnapshot(crypto.randomUUID()));
    gateway.clock.advance(7200);
    gateway.recall.prefer('list', 'code=200, example=empty_page', 'code=200, example=empty_page');
    const budget = new RequestBudget({
      store: gateway.store,
      name: 'test-health-calls',
      perMinute: 2,
      now: () => gateway.clock.now.getTime(),
      sleep: async (ms) => gateway.clock.advance(ms / 1000),
    });
    const { sync } = healthSync(gateway, { callBudget: budget });
    // 4 calls a minute, a run a minute, two calls per check: two checks per run.
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { validated: 2 } });
    // The budget of 2 calls a minute made the second check wait a minute.
    expect(budget.waitedMs).toBeGreaterThanOrEqual(60_000);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { validated: 1 } });
  });
});
