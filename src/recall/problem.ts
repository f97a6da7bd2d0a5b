// What each Recall failure becomes for the person or client that meets it: a code of gateway.yaml's closed
// ProblemCode list and a sentence they can act on. Decided here, at the recall/ boundary, once: the flow and
// the API take them from the RecallError itself.
import type { ProblemCode } from '../../generated/gateway/types.gen.js';
import type { RecallErrorCode } from './recall-api.js';

export type RecallProblemCode = Extract<
  ProblemCode,
  'recall_invalid_grant' | 'recall_conflict_unresolved' | 'recall_unauthorized' | 'recall_forbidden' | 'recall_unavailable' | 'recall_rejected'
>;

const problems: Record<RecallErrorCode, { problem: RecallProblemCode; userDetail: string }> = {
  recall_invalid_grant: {
    problem: 'recall_invalid_grant',
    userDetail: "Zoom's authorization could not be exchanged (expired or reused code, or redirect URI mismatch). Try again.",
  },
  // A conflict that reaches anyone was not resolved: the flow resolves the ones it can.
  recall_conflict: {
    problem: 'recall_conflict_unresolved',
    userDetail: 'An earlier Zoom connection could not be replaced. Try again, and contact support if it keeps failing.',
  },
  recall_conflict_unresolved: {
    problem: 'recall_conflict_unresolved',
    userDetail: 'An earlier Zoom connection could not be replaced. Try again, and contact support if it keeps failing.',
  },
  recall_not_found: { problem: 'recall_rejected', userDetail: 'Recall does not know this credential.' },
  recall_unauthorized: { problem: 'recall_unauthorized', userDetail: "Recall rejected the gateway's API key (wrong key or region)." },
  recall_forbidden: {
    problem: 'recall_forbidden',
    userDetail:
      "Recall's firewall refused the request; a localhost or 127.x redirect URI in the payload is the usual cause (use a public URL, e.g. a tunnel)",
  },
  recall_unavailable: { problem: 'recall_unavailable', userDetail: 'Recall is unavailable; try again shortly.' },
  recall_rejected: { problem: 'recall_rejected', userDetail: 'Recall rejected the request.' },
};

export const recallProblemOf = (code: RecallErrorCode) => problems[code];
