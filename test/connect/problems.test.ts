// One mapping from errors to problems: a Recall failure is answered with the problem code and sentence its
// RecallError names (decided at the recall/ boundary, src/recall/problem.ts), whatever the code.
import { describe, expect, it } from 'vitest';
import { GatewayProblem, toProblem } from '../../src/connect/problems.js';
import { recallProblemOf } from '../../src/recall/problem.js';
import { RecallConflictError, RecallError, type RecallErrorCode } from '../../src/recall/recall-api.js';

const codes: RecallErrorCode[] = [
  'recall_invalid_grant',
  'recall_rejected',
  'recall_unauthorized',
  'recall_forbidden',
  'recall_unavailable',
  'recall_conflict',
  'recall_conflict_unresolved',
  'recall_not_found',
];

describe('toProblem on a Recall failure', () => {
  it.each(codes)('answers %s with the problem and sentence the RecallError names, never its operator message', (code) => {
    const error = new RecallError(code, `operator-only words for ${code}`, { recallDetail: 'what Recall said' });
    const problem = toProblem(error);
    expect({ code: problem.code, detail: problem.detail }).toEqual({ code: error.problem, detail: error.userDetail });
    expect(problem.code).toBe(recallProblemOf(code).problem);
    expect(problem.detail).not.toContain('operator-only');
    expect(problem.detail).not.toContain('what Recall said');
  });

  it('answers an unresolved legacy conflict as recall_conflict_unresolved', () => {
    const conflict = new RecallConflictError({ zoomAccountId: 'Qo2hX07epz8S0xQpWGvtVg', zoomUserId: null }, 'already exists');
    expect(toProblem(conflict).code).toBe('recall_conflict_unresolved');
  });
});

describe('GatewayProblem', () => {
  const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));

  it("keeps no stack trace for a client's mistake (4xx): its code and detail are the whole answer", () => {
    for (const code of ['unauthorized', 'not_found', 'rate_limited', 'invalid_request'] as const) {
      const problem = new GatewayProblem(code, 'detail');
      expect(problem.status).toBeLessThan(500);
      expect(frames(problem)).toEqual([]);
      expect(problem.stack).toContain(`${code}: detail`);
    }
  });

  it("keeps the stack of a gateway fault (5xx), and leaves other errors' stacks as they were", () => {
    const fault = new GatewayProblem('store_unavailable', 'the database did not answer');
    expect(fault.status).toBe(503);
    expect(frames(fault).length).toBeGreaterThan(0);
    new GatewayProblem('not_found', 'detail');
    expect(frames(new Error('after')).length).toBeGreaterThan(0);
  });
});
