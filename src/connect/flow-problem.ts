import type { ConnectSessionRecord } from '../store/store.js';
import { GatewayProblem, type ProblemCode } from './problems.js';

/**
 * A failure of the browser flow. When the flow's session is known, the answer goes where the app asked
 * (303 to return_to, or the popup's message); the binding cookie, when known, is cleared.
 */
export class FlowProblem extends GatewayProblem {
  constructor(
    code: ProblemCode,
    detail: string,
    readonly session?: ConnectSessionRecord,
    readonly clearCookie?: string,
  ) {
    super(code, detail);
  }
}
