// One HTTP exchange with Recall: its own deadline, its duration reported, and whatever happened turned into
// an outcome the retry policy and the error mapping can read (the generated SDK returns some failures and
// throws others).
import { ZodError } from 'zod';

/** Recall's operations as the gateway names them (also the names the test scenario uses). */
export type RecallOperation = 'create' | 'list' | 'retrieve' | 'delete' | 'validate' | 'logs' | 'app';

export type CallOutcome =
  | { kind: 'answer'; status: number; headers: Headers; body: unknown }
  | { kind: 'network_error'; cause: unknown }
  | { kind: 'timeout'; timeoutMs: number };

export type CallStatus = number | 'network_error' | 'timeout';

export interface CallReport {
  operation: RecallOperation;
  status: CallStatus;
  durationMs: number;
}

/** The part of a generated SDK function's result that matters here (`fields` response style). */
export interface SdkResult {
  data?: unknown;
  error?: unknown;
  response?: Response;
}

export type SendFn = (signal: AbortSignal) => Promise<SdkResult>;

export function statusOf(outcome: CallOutcome): CallStatus {
  return outcome.kind === 'answer' ? outcome.status : outcome.kind;
}

export async function callOnce(
  operation: RecallOperation,
  timeoutMs: number,
  send: SendFn,
  onCall?: (call: CallReport) => void,
): Promise<CallOutcome> {
  // A deadline cleared as soon as the call is over (AbortSignal.timeout's timer, signal and listeners stayed alive
  // for the whole timeout after every call: under load, thousands of them in the heap).
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('The operation timed out.', 'TimeoutError')), timeoutMs);
  const signal = deadline.signal;
  const started = performance.now();
  let outcome: CallOutcome;
  try {
    outcome = outcomeOf(await send(signal), signal, timeoutMs);
  } catch (error) {
    // The SDK validates the request with zod before sending: nothing reached Recall, so no call to report,
    // and nothing to retry (the caller maps it).
    if (error instanceof ZodError) throw error;
    // Thrown while reading the answer: the deadline fired mid-body, or the body was not what it claimed.
    outcome = failureOf(error, signal, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  onCall?.({ operation, status: statusOf(outcome), durationMs: performance.now() - started });
  return outcome;
}

function outcomeOf(result: SdkResult, signal: AbortSignal, timeoutMs: number): CallOutcome {
  const { response } = result;
  // Without a response, fetch itself failed and the SDK put the thrown error in `error`.
  if (!response) return failureOf(result.error, signal, timeoutMs);
  return { kind: 'answer', status: response.status, headers: response.headers, body: response.ok ? result.data : result.error };
}

function failureOf(error: unknown, signal: AbortSignal, timeoutMs: number): CallOutcome {
  // Our own deadline is the only abort there is, whatever error shape the fetch implementation chose.
  return signal.aborted ? { kind: 'timeout', timeoutMs } : { kind: 'network_error', cause: error };
}
