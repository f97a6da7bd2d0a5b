// A budget of requests per minute, kept the strict way: at most `perMinute` grants in any 60-second window
// (a token bucket would allow twice that across a refill), so the gateway never lands on Recall's limiter
// however Recall counts its minute. A 429 pauses the budget for as long as Recall asked.
import { retryAfterMs } from '../recall/retry.js';

export interface RequestBudgetOptions {
  perMinute: number;
  now?: () => number;
  /** Waits `ms`, or rejects when `signal` aborts first. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const WINDOW_MS = 60_000;

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
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** When each grant of the last window was made, oldest first. */
  readonly #grants: number[] = [];
  #pausedUntil = 0;
  /** Time spent waiting for the budget, in total (for tests and logs). */
  waitedMs = 0;

  constructor(options: RequestBudgetOptions) {
    this.perMinute = options.perMinute;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /** How long a request made now would have to wait (0: it may go). */
  delayMs(): number {
    const now = this.#now();
    while (this.#grants.length > 0 && this.#grants[0]! <= now - WINDOW_MS) this.#grants.shift();
    const paused = Math.max(0, this.#pausedUntil - now);
    const full = this.#grants.length < this.perMinute ? 0 : this.#grants[0]! + WINDOW_MS - now;
    return Math.max(paused, full);
  }

  /** Resolves when a request may go (and counts it); rejects if `signal` aborts while waiting. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const delay = this.delayMs();
      if (delay === 0) {
        this.#grants.push(this.#now());
        return;
      }
      this.waitedMs += delay;
      await this.#sleep(delay, signal);
    }
  }

  /** Recall said 429: nothing goes out before `ms` from now. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
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
    if (method !== 'GET' || url.pathname !== LIST_PATH) return fetchImpl(input, init);
    await budget.take(init?.signal ?? request?.signal ?? undefined);
    const response = await fetchImpl(input, init);
    if (response.status === 429) budget.pause(retryAfterMs(response.headers.get('retry-after')) ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
    return response;
  }) as typeof fetch;
}
