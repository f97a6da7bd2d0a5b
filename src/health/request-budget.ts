// A budget of requests per minute, kept the strict way: at most `perMinute` grants in any 60-second window
// (a token bucket would allow twice that across a refill), so the gateway never lands on Recall's limiter
// however Recall counts its minute. Recall's limits are per workspace, so the budget lives in the store: every
// instance on the database spends the same one (store/request-budgets.ts). A 429 pauses it for everyone for as
// long as Recall asked.
import { retryAfterMs } from '../recall/retry.js';
import type { Store } from '../store/store.js';

export interface RequestBudgetOptions {
  /** Where the budget is kept, shared by every instance on the database. */
  store: Pick<Store, 'takeRequestSlot' | 'pauseRequests'>;
  /** The budget's name: instances spending the same Recall limit use the same name. */
  name: string;
  perMinute: number;
  now?: () => number;
  /** Waits `ms`, or rejects when `signal` aborts first. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The names of the gateway's shared budgets. */
export const LIST_BUDGET = 'recall-list';
export const HEALTH_CALL_BUDGET = 'recall-health-calls';

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RequestBudget {
  readonly perMinute: number;
  readonly name: string;
  readonly #store: RequestBudgetOptions['store'];
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Time this instance spent waiting for the budget, in total (for tests and logs). */
  waitedMs = 0;

  constructor(options: RequestBudgetOptions) {
    this.perMinute = options.perMinute;
    this.name = options.name;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /** Resolves when a request may go (and counts it); rejects if `signal` aborts while waiting. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.#now();
      const grant = await this.#store.takeRequestSlot({ name: this.name, perMinute: this.perMinute }, new Date(now).toISOString());
      if (grant.granted) return;
      const delay = Math.max(1, Date.parse(grant.retryAt) - now);
      this.waitedMs += delay;
      await this.#sleep(delay, signal);
    }
  }

  /** Recall said 429: nothing goes out, from any instance, before `ms` from now. */
  async pause(ms: number): Promise<void> {
    await this.#store.pauseRequests(this.name, new Date(this.#now() + ms).toISOString());
  }
}

/** Without Retry-After, a 429 pauses the budget this long: a few requests' worth of the list budget. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 10_000;

const LIST_PATH = '/api/v2/zoom-oauth-credentials/';

/**
 * A fetch for the Recall client that sends every list request (each page, each retry, whoever asks: the
 * health sync or a conflict being resolved) through `budget`, and pauses the budget on a 429. Waiting counts
 * against the call's own deadline (its signal), so a caller never waits longer than it would for Recall.
 */
export function budgetListCalls(budget: RequestBudget, fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const url = new URL(request ? request.url : String(input));
    // endsWith: RECALL_BASE_URL may carry a path of its own (a proxy in front of Recall).
    if (method !== 'GET' || !url.pathname.endsWith(LIST_PATH)) return fetchImpl(input, init);
    await budget.take(init?.signal ?? request?.signal ?? undefined);
    const response = await fetchImpl(input, init);
    if (response.status === 429) await budget.pause(retryAfterMs(response.headers.get('retry-after')) ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
    return response;
  }) as typeof fetch;
}
