// The list budget: never more than Recall's 60 list requests in any minute, whoever makes them, every page and
// retry counted, and a 429 pausing everyone for as long as Recall asked. The budget lives in the store (here an
// in-memory SQLite; test/health/shared-budget.test.ts shares one between instances on PostgreSQL).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { budgetListCalls, DEFAULT_RATE_LIMIT_PAUSE_MS, RequestBudget, type RequestBudgetOptions } from '../../src/health/request-budget.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

function fakeTime(start = T0) {
  const time = { now: start };
  return { time, now: () => time.now, sleep: async (ms: number) => void (time.now += ms) };
}

let store: Store;
beforeEach(async () => {
  store = await openStore('sqlite::memory:');
});
afterEach(async () => {
  await store.close();
});

const aBudget = (options: Omit<RequestBudgetOptions, 'store' | 'name'>) => new RequestBudget({ store, name: 'recall-list', ...options });

const base = 'https://us-east-1.recall.ai';
const listUrl = `${base}/api/v2/zoom-oauth-credentials/?oauth_app=9a03bb66-31f6-4272-8074-38c7c675ecb0&status=unhealthy`;

describe('RequestBudget', () => {
  it('lets perMinute requests through at once, then makes the next wait for the oldest to be a minute old', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 3, now, sleep });
    for (let i = 0; i < 3; i++) {
      await budget.take();
      time.now += 1000;
    }
    expect(budget.waitedMs).toBe(0);
    await budget.take();
    expect(time.now).toBe(T0 + 60_000);
  });

  it('never grants more than perMinute in any 60-second window over a long run', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 60, now, sleep });
    const grants: number[] = [];
    for (let i = 0; i < 500; i++) {
      await budget.take();
      grants.push(time.now);
      time.now += Math.floor((i * 7919) % 900);
    }
    for (const [i, start] of grants.entries()) {
      const inWindow = grants.slice(i).filter((at) => at < start + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(60);
    }
  });

  it('holds every request while paused after a 429', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 60, now, sleep });
    await budget.pause(2000);
    await budget.take();
    expect(time.now).toBe(T0 + 2000);
  });

  it('gives up waiting when the caller aborts', async () => {
    const budget = aBudget({ perMinute: 1 });
    await budget.take();
    await expect(budget.take(AbortSignal.timeout(20))).rejects.toThrow();
  });
});

describe('budgetListCalls', () => {
  function recorder(status = 200, headers: Record<string, string> = {}) {
    const sent: string[] = [];
    const fetchImpl = (async (input: RequestInfo | URL) => {
      const request = input instanceof Request ? input : new Request(input);
      sent.push(`${request.method} ${new URL(request.url).pathname}`);
      return new Response(null, { status, headers });
    }) as typeof fetch;
    return { sent, fetchImpl };
  }

  it('counts list requests (GET on the collection) and nothing else', async () => {
    const { now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 1, now, sleep });
    const { sent, fetchImpl } = recorder();
    const budgeted = budgetListCalls(budget, fetchImpl);
    await budgeted(new Request(listUrl));
    await budgeted(new Request(`${base}/api/v2/zoom-oauth-credentials/e96244cc-23c8-43cf-b039-59b2526ab397/`));
    await budgeted(new Request(`${base}/api/v2/zoom-oauth-credentials/`, { method: 'POST', body: '{}' }));
    await budgeted(new Request(`${base}/api/v2/zoom-oauth-credentials/e96244cc-23c8-43cf-b039-59b2526ab397/validate/`, { method: 'POST' }));
    expect(budget.waitedMs).toBe(0);
    await budgeted(new Request(`${listUrl}&cursor=abc`));
    expect(budget.waitedMs).toBe(60_000);
    expect(sent).toHaveLength(5);
  });

  it('counts list requests to a Recall behind a path prefix (RECALL_BASE_URL with a path, a proxy)', async () => {
    const { now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 1, now, sleep });
    const budgeted = budgetListCalls(budget, recorder().fetchImpl);
    await budgeted(new Request(`${base}/recall-proxy/api/v2/zoom-oauth-credentials/?oauth_app=x`));
    await budgeted(new Request(`${base}/recall-proxy/api/v2/zoom-oauth-credentials/?oauth_app=x&cursor=abc`));
    expect(budget.waitedMs).toBe(60_000);
  });

  it('pauses the budget for the Retry-After of a 429', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 60, now, sleep });
    const { fetchImpl } = recorder(429, { 'retry-after': '7' });
    await budgetListCalls(budget, fetchImpl)(new Request(listUrl));
    await budget.take();
    expect(time.now).toBe(T0 + 7000);
  });

  it('pauses the budget for a while after a 429 without Retry-After', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = aBudget({ perMinute: 60, now, sleep });
    const { fetchImpl } = recorder(429);
    await budgetListCalls(budget, fetchImpl)(listUrl);
    await budget.take();
    expect(time.now).toBe(T0 + DEFAULT_RATE_LIMIT_PAUSE_MS);
  });
});
