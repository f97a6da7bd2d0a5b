// A health sync at any size (Prism's examples): a run reads at most its share of the list budget, and the next
// run, after a restart too, goes on from the page where the last one stopped; a list of any length is walked to
// its end over several runs instead of failing at a fixed page count; credentials the pass did not list are
// re-read only once the pass is complete; a saved position Recall refuses starts the walk again.
import { describe, expect, it } from 'vitest';
import { createHealthSync, type HealthSyncOptions } from '../../src/health/scheduler.js';
import { HEALTH_LIST_POSITION } from '../../src/health/sync.js';
import { connectionOn, credentialSnapshot, useHarness, type HarnessGateway } from '../events/harness.js';

const nextCursor = 'cD0yMDI1LTAzLTA0KzEwJTNBMTUlM0EyMi40ODE1MTYlMkIwMCUzQTAw'; // first_page_with_next's cursor
const onSecondPage = '15af756b-f524-4e70-8cc9-74f772d4c94c'; // conflicting_account_page: unhealthy
const notListed = 'e96244cc-23c8-43cf-b039-59b2526ab397'; // retrieve `healthy`

const synced = { meetingSyncStatus: 'completed' } as const;

function logger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (_details: object, message: string) => void lines.push({ level, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

function healthSync(gateway: HarnessGateway, options: Partial<HealthSyncOptions> = {}) {
  const log = logger();
  const deps = { config: gateway.config, store: gateway.store, recall: gateway.recallApi, now: () => gateway.clock.now, log };
  return { sync: createHealthSync(deps, { intervalMs: 60_000, ...options }), log };
}

const listCursors = (gateway: HarnessGateway) =>
  gateway.recall.calls.filter((call) => call.operation === 'list').map((call) => new URL(call.path, 'http://recall').searchParams.get('cursor'));

describe('the walk through Recall’s list of unhealthy credentials', () => {
  const gateway = useHarness();

  it('reads at most listPagesPerRun pages a run, and the next run goes on from the saved cursor', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(onSecondPage, synced));
    gateway.recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=conflicting_account_page');
    const { sync } = healthSync(gateway, { listPagesPerRun: 1 });
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { pages: 1, passComplete: false } });
    expect(await gateway.store.readSyncPosition(HEALTH_LIST_POSITION)).toEqual({
      cursor: nextCursor,
      passStartedAt: gateway.clock.now.toISOString(),
    });
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('connected');

    gateway.clock.advance(60);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { pages: 1, passComplete: true } });
    expect(listCursors(gateway)).toEqual([null, nextCursor]);
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('needs_reauth');
    expect(await gateway.store.readSyncPosition(HEALTH_LIST_POSITION)).toBeUndefined();
  });

  it('goes on where it stopped after the gateway restarts', async () => {
    gateway.recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=empty_page');
    const before = healthSync(gateway, { listPagesPerRun: 1 }).sync;
    await before.tick();
    // A shutdown: the sync stops and hands its lease back; the position stays in the database.
    await before.stop();
    await gateway.restart();
    gateway.clock.advance(60);
    expect(await healthSync(gateway, { listPagesPerRun: 1 }).sync.tick()).toMatchObject({ outcome: 'ok', summary: { passComplete: true } });
    expect(listCursors(gateway)).toEqual([null, nextCursor]);
  });

  it('walks a list of 61 pages to its end over three runs (30 pages a run at a 60 s interval), never failing at a page count', async () => {
    gateway.recall.prefer('list', ...Array<string>(60).fill('code=200, example=first_page_with_next'), 'code=200, example=conflicting_account_page');
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(onSecondPage, synced));
    const { sync } = healthSync(gateway);
    const runs = [];
    for (let run = 0; run < 3; run++) {
      runs.push(await sync.tick());
      gateway.clock.advance(60);
    }
    expect(runs).toMatchObject([
      { outcome: 'ok', summary: { pages: 30, passComplete: false } },
      { outcome: 'ok', summary: { pages: 30, passComplete: false } },
      { outcome: 'ok', summary: { pages: 1, passComplete: true } },
    ]);
    expect((await gateway.store.getConnection(connection.id))?.status).toBe('needs_reauth');
  });

  it('re-reads a credential the pass did not list only once the pass is complete', async () => {
    const recovered = await connectionOn(gateway, 'user_7', credentialSnapshot(notListed, { ...synced, status: 'unhealthy' }));
    gateway.clock.advance(1);
    gateway.recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=conflicting_account_page');
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const { sync } = healthSync(gateway, { listPagesPerRun: 1 });
    expect(await sync.tick()).toMatchObject({ summary: { rechecked: 0, passComplete: false } });
    gateway.clock.advance(60);
    // The first page listed e96244cc-… as healthy: it is connected again without a re-read.
    expect((await gateway.store.getConnection(recovered.id))?.status).toBe('connected');
    expect(await sync.tick()).toMatchObject({ summary: { rechecked: 0, passComplete: true } });
    expect(gateway.recall.calls.filter((call) => call.operation === 'retrieve')).toEqual([]);
  });

  it('re-reads, at the end of a pass spread over runs, the unhealthy credentials it never listed', async () => {
    const stale = await connectionOn(
      gateway,
      'user_7',
      credentialSnapshot('d637b675-fa4b-40b4-878c-e04985f42bc7', { ...synced, status: 'unhealthy' }),
    );
    gateway.clock.advance(1);
    gateway.recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=conflicting_account_page');
    gateway.recall.prefer('retrieve', 'code=200, example=healthy');
    const { sync } = healthSync(gateway, { listPagesPerRun: 1 });
    await sync.tick();
    gateway.clock.advance(60);
    expect(await sync.tick()).toMatchObject({ summary: { rechecked: 1, passComplete: true } });
    expect(gateway.recall.calls.filter((call) => call.operation === 'retrieve').map((call) => call.path)).toEqual([
      '/api/v2/zoom-oauth-credentials/d637b675-fa4b-40b4-878c-e04985f42bc7/',
    ]);
    expect((await gateway.store.getConnection(stale.id))?.status).toBe('connected');
  });

  it('starts the walk again when Recall refuses the saved cursor', async () => {
    gateway.recall.prefer('list', 'code=200, example=first_page_with_next', 'code=400, example=bad_request', 'code=200, example=empty_page');
    const { sync, log } = healthSync(gateway, { listPagesPerRun: 1 });
    await sync.tick();
    gateway.clock.advance(60);
    expect(await sync.tick()).toMatchObject({ outcome: 'ok', summary: { pages: 1, passComplete: true } });
    expect(listCursors(gateway)).toEqual([null, nextCursor, null]);
    expect(log.lines.some((line) => line.level === 'warn' && line.message.includes('walk starts again'))).toBe(true);
  });
});
