// The gateway's named failures: every one is a code of gateway.yaml's closed ProblemCode enum, with the
// status and title the spec gives it, and the one mapping (toProblem) from anything thrown to the
// problem it is answered with. Rendered by src/plugins/problems.ts and the flow's responder (src/pages/).
import { problemCatalogue } from '../../generated/gateway/problems.gen.js';
import type { Problem, ProblemCode } from '../../generated/gateway/types.gen.js';
import { RecallError } from '../recall/recall-api.js';
import { StoreUnavailableError } from '../store/store.js';

export type { Problem, ProblemCode };

// Status and title of every code come from gateway.yaml (generated/gateway/problems.gen.ts), never a copy.
const catalogue: Record<ProblemCode, { status: number; title: string }> = problemCatalogue;

export const problemStatus = (code: ProblemCode) => catalogue[code].status;

export class GatewayProblem extends Error {
  override readonly name = 'GatewayProblem';
  constructor(
    readonly code: ProblemCode,
    /** A sentence a person can act on; never a secret (code, state, token, verifier, key). */
    readonly detail: string,
    readonly errors?: Problem['errors'],
  ) {
    // A client's mistake (4xx) is an answer, not a fault: its code and detail say everything, and a stack trace
    // is a large part of the cost of answering it (a flood of wrong API keys answered 429 ran 35% faster
    // without). A gateway fault (5xx) keeps its stack, for whoever reads the log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (problemStatus(code) < 500) Error.stackTraceLimit = 0;
    super(`${code}: ${detail}`);
    Error.stackTraceLimit = stackTraceLimit;
  }

  get status(): number {
    return problemStatus(this.code);
  }
}

export function problemBody(code: ProblemCode, detail: string, extra: Pick<Problem, 'instance' | 'errors'> = {}): Problem {
  const { status, title } = catalogue[code];
  return { type: `urn:zoom-connect-gateway:problem:${code}`, title, status, detail, code, ...extra };
}

export const storeUnavailable = () =>
  new GatewayProblem('store_unavailable', "The gateway's database is not reachable right now; nothing was changed. Try again shortly.");

/**
 * The one mapping from anything thrown to the problem it is answered with: the gateway's own problems as they
 * are; the store gone (store_unavailable); Recall's failures as the RecallError itself names them (decided once,
 * at the recall/ boundary: src/recall/problem.ts); a client error the HTTP layer raised before any handler ran
 * (a body it cannot parse, a wrong Content-Type: it carries a 4xx statusCode); anything else is an internal
 * error, with nothing internal in the answer.
 */
export function toProblem(error: unknown): GatewayProblem {
  if (error instanceof GatewayProblem) return error;
  if (error instanceof StoreUnavailableError) return storeUnavailable();
  if (error instanceof RecallError) return new GatewayProblem(error.problem, error.userDetail);
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (statusCode === 413) return new GatewayProblem('body_too_large', 'The request body is larger than this API accepts.');
  if (statusCode === 429) return new GatewayProblem('rate_limited', 'Too many requests; retry after the time in Retry-After.');
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && error instanceof Error) {
    return new GatewayProblem('invalid_request', error.message);
  }
  return new GatewayProblem('internal_error', 'Something went wrong on our side; try again.');
}
