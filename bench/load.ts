// autocannon, from this process (the servers run in processes of their own), with a wall-clock watchdog on top
// of its own request or time budget, and a count of answers that were not the ones expected.
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  /** From the start of the run to its last answer (autocannon's own duration is rounded up to its 1 s sampling tick). */
  durationS: number;
  /** Answers per second over the run. */
  rps: number;
  /**
   * Latency percentiles, ms. autocannon's histogram has 1 ms resolution; with one connection, where each request
   * leaves as the answer to the one before arrives, they come from the time between answers instead (µs).
   */
  p50: number;
  p99: number;
  errors: number;
  /** Answers `expect` refused. */
  unexpected: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** A number of requests, or a duration: one of the two. */
  amount?: number;
  durationS?: number;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called for every request sent: return the request with its own path, headers or body. */
  setup?: (request: autocannon.Request) => autocannon.Request;
  onResponse?: (status: number, body: string, headers: Record<string, string | string[]>) => void;
  /** Whether an answer is the one this load should get (a run with unexpected answers measured something else). */
  expect: (status: number, headers: Record<string, string | string[]>) => boolean;
  /** Hard stop, whatever the budget says. */
  maxSeconds: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  let unexpected = 0;
  let answers = 0;
  const startedAt = performance.now();
  let lastAt = startedAt;
  const gaps: number[] = [];
  const request: autocannon.Request = {
    method: options.method ?? 'GET',
    path: options.path,
    headers: options.headers,
    body: options.body,
    ...(options.setup ? { setupRequest: options.setup } : {}),
    onResponse: (status: number, body: string, _context: unknown, headers: Record<string, string | string[]>) => {
      const now = performance.now();
      if (options.connections === 1) gaps.push(now - lastAt);
      lastAt = now;
      answers += 1;
      if (!options.expect(status, headers)) {
        unexpected += 1;
        // The first few, so a figure that measured something else says what it got instead.
        if (unexpected <= 3) console.error(`unexpected answer on ${options.path}: ${status} ${String(headers.location ?? '')} ${body.slice(0, 200)}`);
      }
      options.onResponse?.(status, body, headers);
    },
  } as autocannon.Request;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS ?? 10 }),
        requests: [request],
        timeout: 10,
      },
      (error, finished) => {
        clearTimeout(watchdog);
        if (error) reject(error);
        else resolve(finished);
      },
    );
    const watchdog = setTimeout(() => instance.stop(), options.maxSeconds * 1000);
  });
  const durationS = (lastAt - startedAt) / 1000;
  // The first gap holds the connection set-up: left out.
  const sorted = gaps.slice(1).sort((a, b) => a - b);
  const precise = options.connections === 1 && sorted.length > 100;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    requests: answers,
    durationS: round(durationS),
    rps: durationS > 0 ? answers / durationS : 0,
    p50: precise ? round(percentile(sorted, 50)) : result.latency.p50,
    p99: precise ? round(percentile(sorted, 99)) : result.latency.p99,
    errors: result.errors + result.timeouts,
    unexpected,
  };
}

/**
 * Loads that ran at the same time against several servers, as one: every answer over the longest run. The
 * percentiles are the slowest server's (percentiles of separate runs do not add up).
 */
export function together(results: LoadResult[]): LoadResult {
  const requests = results.reduce((sum, result) => sum + result.requests, 0);
  const durationS = Math.max(...results.map((result) => result.durationS));
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : 0,
    p50: Math.max(...results.map((result) => result.p50)),
    p99: Math.max(...results.map((result) => result.p99)),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    unexpected: results.reduce((sum, result) => sum + result.unexpected, 0),
  };
}
