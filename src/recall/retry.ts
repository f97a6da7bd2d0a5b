// When to call Recall again, and how long to wait first. Exponential backoff with full jitter spreads the
// gateway's retries so they do not arrive at Recall's per-workspace rate limiter in lockstep.
import { statusOf, type CallOutcome, type RecallOperation } from './call.js';

export interface RecallLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface RetrySettings {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  logger?: RecallLogger;
}

// Overload and proxy answers: Recall did not handle the request, or cannot tell whether it did.
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
// Create spends Zoom's single-use authorization code, but every create carries an Idempotency-Key derived from
// the code (idempotency.ts): after a timeout, a network error, a 502 or a 504 the same request goes again and
// Recall either acts on it for the first time or replays what the first one got. 409 is Recall saying the first
// request with the key is still running: wait, then ask again.
const CREATE_RETRYABLE_STATUSES = new Set([...RETRYABLE_STATUSES, 409]);
/** The least wait after a 409 without Retry-After: the first request is exchanging the code with Zoom. */
export const IN_PROGRESS_WAIT_MS = 1000;

export function isRetryable(operation: RecallOperation, outcome: CallOutcome): boolean {
  if (outcome.kind !== 'answer') return true;
  return (operation === 'create' ? CREATE_RETRYABLE_STATUSES : RETRYABLE_STATUSES).has(outcome.status);
}

/** Full jitter: anywhere between 0 and the exponential ceiling, itself capped at maxDelayMs. */
export function backoffMs(retry: number, settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  return settings.random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retry);
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** undefined when Recall asks for a longer wait than a user's request can afford: better fail now. */
function delayBeforeRetry(retry: number, outcome: CallOutcome, settings: RetrySettings): number | undefined {
  const jitter = backoffMs(retry, settings);
  if (outcome.kind !== 'answer' || (outcome.status !== 429 && outcome.status !== 409)) return jitter;
  const asked = retryAfterMs(outcome.headers.get('retry-after'));
  if (asked === undefined) return outcome.status === 409 ? Math.max(IN_PROGRESS_WAIT_MS, jitter) : jitter;
  if (asked > settings.maxDelayMs) return undefined;
  return Math.max(asked, jitter);
}

/** Runs `attempt` until it succeeds, fails for good, or maxAttempts is spent; returns the last outcome. */
export async function withRetries(operation: RecallOperation, settings: RetrySettings, attempt: () => Promise<CallOutcome>): Promise<CallOutcome> {
  for (let made = 1; ; made++) {
    const outcome = await attempt();
    if (made >= settings.maxAttempts || !isRetryable(operation, outcome)) return outcome;
    const delayMs = delayBeforeRetry(made - 1, outcome, settings);
    if (delayMs === undefined) return outcome;
    // Operation, status and delay only: nothing of the request, which may carry the code or the verifier.
    settings.logger?.warn({ operation, status: statusOf(outcome), delayMs }, 'Retrying Recall call');
    await settings.sleep(delayMs);
  }
}
