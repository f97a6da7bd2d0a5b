// What a step of the browser flow ended with, as a value: the launch and the callback return one for every
// result they expect (a refused launch, a replayed state, Recall saying no...), and the routes' one responder
// (src/pages/flow-responder.ts) turns it into the answer, the cookies and the metric. Exceptions are left for
// the unexpected.
import type { ConnectSessionRecord } from '../store/store.js';
import type { BindingCookie } from './binding-cookie.js';
import type { Problem, ProblemCode } from './problems.js';

/** Why a step failed: a code of the spec, and a sentence a person can act on (never a secret). */
export interface FlowFailure {
  code: ProblemCode;
  detail: string;
  /** With invalid_request: the fields at fault. */
  errors?: Problem['errors'];
}

/** A flow that goes to Zoom: where the browser goes next, and the cookie binding the flow to it. */
export interface FlowStart {
  authorizeUrl: string;
  cookie: BindingCookie;
}

export type FlowOutcome =
  /** Launch: a new flow, to Zoom. */
  | { kind: 'started'; start: FlowStart }
  /** Launch: not from the app's own page. Nothing started, nothing spent, no session looked up. */
  | { kind: 'refused'; failure: FlowFailure }
  /** Callback: the code was spent resolving a Recall conflict; one more trip through Zoom with a new flow. */
  | { kind: 'restarted'; session: ConnectSessionRecord; start: FlowStart; clearCookie: string }
  /** Callback: connected; `replayed` when a finished callback was opened again and answered from the flow. */
  | { kind: 'connected'; connectionId: string; session?: ConnectSessionRecord; clearCookie?: string; replayed?: true }
  /** Either step: failed. With the session known, the answer goes where the app asked (return_to, the popup). */
  | { kind: 'failed'; failure: FlowFailure; session?: ConnectSessionRecord; clearCookie?: string };

export type LaunchOutcome = Extract<FlowOutcome, { kind: 'started' | 'refused' | 'failed' }>;
export type CallbackOutcome = Extract<FlowOutcome, { kind: 'restarted' | 'connected' | 'failed' }>;

export const failed = (
  code: ProblemCode,
  detail: string,
  where: { session?: ConnectSessionRecord; clearCookie?: string; errors?: Problem['errors'] } = {},
): Extract<FlowOutcome, { kind: 'failed' }> => {
  const { errors, ...rest } = where;
  return { kind: 'failed', failure: errors ? { code, detail, errors } : { code, detail }, ...rest };
};
