// The list budget: never more than Recall's 60 list requests in any minute, whoever makes them, every page and
// retry counted, and a 429 pausing everyone for as long as Recall asked.
import { describe, expect, it } from 'vitest';
import { budgetListCalls, DEFAULT_RATE_LIMIT_PAUSE_MS, RequestBudget } from '../../src/health/request-budget.js';

function fakeTime(start = 0) {
  const time = { now: start };
  return { time, now: () => time.now, sleep: async (ms: number) => void (time.now += ms) };
}

const base = 'https://us-east-1.recall.ai';
const listUrl = `${base}/api/v2/zoom-oauth-credentials/?oauth_app=9a03bb66-31f6-4272-8074-38c7c675ecb0&status=unhealthy`;

describe('RequestBudget', () => {
  it('lets perMinute requests through at once, then makes the next wait for the oldest to be a minute old', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = new RequestBudget({ perMinute: 3, now, sleep });
    for (let i = 0; i < 3; i++) {
      await budget.take();
      time.now += 1000;
    }
    expect(budget.waitedMs).toBe(0);
    await budget.take();
    expect(time.now).toBe(60_000);
  });

  it('never grants more than perMinute in any 60-second window over a long run', async () => {
    const { time, now, sleep } = fakeTime();
    const budget = new RequestBudget({ perMinute: 60, now, sleep });
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
    const budget = new RequestBudget({ perMinute: 60, now, sleep });
    budget.pause(2000);
    await budget.take();
    expect(time.now).toBe(2000);
  });

  it('gives up waiting when the caller aborts', async () => {
    const budget = new RequestBudget({ perMinute: 1 });
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
    const budget = new RequestBudget({ perMinute: 1, now, sleep });
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

  it('pauses the budget for the Retry-After of a 429', async () => {
    const { now, sleep } = fakeTime();
    const budget = new RequestBudget({ perMinute: 60, now, sleep });
    const { fetchImpl } = recorder(429, { 'retry-after': '7' });
    await budgetListCalls(budget, fetchImpl)(new Request(listUrl));
    expect(budget.delayMs()).toBe(7000);
  });

  it('pauses the budget for a while after a 429 without Retry-After', async () => {
    const { now, sleep } = fakeTime();
    const budget = new RequestBudget({ perMinute: 60, now, sleep });
    const { fetchImpl } = recorder(429);
    await budgetListCalls(budget, fetchImpl)(listUrl);
    expect(budget.delayMs()).toBe(DEFAULT_RATE_LIMIT_PAUSE_MS);
  });
});
