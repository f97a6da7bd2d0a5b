// Recall's rate limits are per workspace, so every gateway instance on one PostgreSQL database spends one budget,
// kept in the database, and the health sync's walk through Recall's list goes on, on whichever instance runs the
// next step, from where another stopped. Several stores (instances, each with its own pool) on one database.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { budgetListCalls, LIST_BUDGET, RequestBudget } from '../../src/health/request-budget.js';
import { runHealthSync, HEALTH_LIST_POSITION } from '../../src/health/sync.js';
import { createRecallClient } from '../../src/recall/client.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { baseEnv } from '../support/gateway.js';
import { freshDatabase, type FreshDatabase } from '../support/postgres.js';
import { useRecallScenario } from '../support/recall-scenario.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('instances sharing one PostgreSQL database', () => {
  const recall = useRecallScenario();
  let database: FreshDatabase | undefined;
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await database?.drop();
    database = undefined;
  });

  async function instances(count: number): Promise<Store[]> {
    database = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: count }, () => openStore(database!.url, { poolSize: 4 })));
    opened.push(...stores);
    return stores;
  }

  it('grant exactly perMinute calls in a minute between them, however many ask at once', async () => {
    const stores = await instances(3);
    const budget = { name: LIST_BUDGET, perMinute: 5 };
    const asks = Array.from({ length: 24 }, (_, i) => stores[i % 3]!.takeRequestSlot(budget, at(0)));
    const grants = await Promise.all(asks);
    expect(grants.filter((grant) => grant.granted)).toHaveLength(5);
    // The refused are told when the oldest grant is a minute old.
    expect(new Set(grants.filter((grant) => !grant.granted).map((grant) => (grant.granted ? '' : grant.retryAt)))).toEqual(new Set([at(60_000)]));
    const later = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3]!.takeRequestSlot(budget, at(60_000))));
    expect(later.filter((grant) => grant.granted)).toHaveLength(5);
  });

  it("make an instance wait while another spent the list budget, and hold everyone after one instance's 429", async () => {
    const [one, two] = await instances(2);
    const clock = { now: T0 };
    const budget = (store: Store) =>
      new RequestBudget({ store, name: LIST_BUDGET, perMinute: 2, now: () => clock.now, sleep: async (ms) => void (clock.now += ms) });
    const first = budget(one!);
    const second = budget(two!);
    await first.take();
    await first.take();
    await second.take();
    expect(second.waitedMs).toBe(60_000);
    await first.pause(30_000);
    await second.take();
    expect(clock.now).toBe(T0 + 60_000 + 30_000);
  });

  it("walk Recall's list across instances: the next page is read by the instance that runs next", async () => {
    const [one, two] = await instances(2);
    const config = loadConfig(baseEnv(recall.url));
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const run = (store: Store, now: number) => {
      const api = createRecallClient({
        baseUrl: config.recall.baseUrl,
        apiKey: config.recall.apiKey,
        oauthAppId: config.recall.oauthAppId,
        fetch: budgetListCalls(new RequestBudget({ store, name: LIST_BUDGET, perMinute: 60, now: () => now }), recall.fetch),
        sleep: async () => {},
      });
      const deps = { config, store, recall: api, now: () => new Date(now), log };
      return runHealthSync(deps, {
        callBudget: new RequestBudget({ store, name: 'health-calls', perMinute: 60, now: () => now }),
        listPagesPerRun: 1,
      });
    };
    recall.prefer('list', 'code=200, example=first_page_with_next', 'code=200, example=empty_page');
    expect(await run(one!, T0)).toMatchObject({ pages: 1, passComplete: false });
    expect(await two!.readSyncPosition(HEALTH_LIST_POSITION)).toMatchObject({ passStartedAt: at(0) });
    expect(await run(two!, T0 + 60_000)).toMatchObject({ pages: 1, passComplete: true });
    const cursors = recall.calls.map((call) => new URL(call.path, 'http://recall').searchParams.get('cursor'));
    expect(cursors).toEqual([null, 'cD0yMDI1LTAzLTA0KzEwJTNBMTUlM0EyMi40ODE1MTYlMkIwMCUzQTAw']);
    expect(await one!.readSyncPosition(HEALTH_LIST_POSITION)).toBeUndefined();
  });
});
