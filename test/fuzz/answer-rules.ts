// What every answer of the gateway must be, whatever it was sent: never a 5xx; a 4xx is RFC 9457 problem+json
// whose `code` is one of gateway.yaml's ProblemCode enum (or, on the browser flow's routes, the flow's HTML page
// naming such a code); a redirect back to the app names such a code; and an answer to one of gateway.yaml's
// operations matches what the spec documents for it (status, content type, body schema).
import type { LightMyRequestResponse } from 'fastify';
import { zProblemCode } from '../../generated/gateway/zod.gen.js';
import { loadSpec, operations } from '../support/spec.js';
import { specProblems } from '../support/spec-responses.js';

const problemCodes = new Set<string>(zProblemCode.options);
const specOperations = operations(loadSpec('gateway')).map((op) => ({
  method: op.method.toUpperCase(),
  pattern: new RegExp(`^${op.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));
const flowPaths = new Set(['/v1/connect/zoom', '/v1/connect/zoom/callback']);

/** The path of a request URL, as the router sees it (no query). */
export const pathOf = (url: string) => url.split('?')[0]!.split('#')[0]!;

const isOperation = (method: string, path: string) => specOperations.some((op) => op.method === method && op.pattern.test(path));

/**
 * Known bugs the fuzz suite found, each reported with a failing case in found-by-fuzzing.test.ts (it.fails): the
 * one violation each explains is set aside here, so the suite stays green and keeps hunting until they are fixed.
 * Delete an entry with its fix.
 */
const knownBugs: { bug: string; excuses: (method: string, path: string, response: LightMyRequestResponse, violation: string) => boolean }[] = [];

/** Everything wrong with an answer, known bugs aside; empty when it keeps the rules. */
export function answerViolations(method: string, url: string, response: LightMyRequestResponse): string[] {
  return allViolations(method, url, response).filter(
    (violation) => !knownBugs.some((known) => known.excuses(method, pathOf(url), response, violation)),
  );
}

/** Everything wrong with an answer. */
export function allViolations(method: string, url: string, response: LightMyRequestResponse): string[] {
  const path = pathOf(url);
  const status = response.statusCode;
  const type = String(response.headers['content-type'] ?? '');
  const violations: string[] = [];
  if (status >= 500) violations.push(`answered ${status}: ${response.body.slice(0, 300)}`);

  if (status >= 400) {
    if (type.startsWith('application/problem+json')) {
      const body = JSON.parse(response.body) as { code?: string; status?: number; type?: string };
      if (!body.code || !problemCodes.has(body.code)) violations.push(`problem code ${String(body.code)} is not in ProblemCode`);
      if (body.status !== status) violations.push(`problem status ${String(body.status)} differs from ${status}`);
      if (body.type !== `urn:zoom-connect-gateway:problem:${body.code}`) violations.push(`problem type ${String(body.type)}`);
    } else if (type.startsWith('text/html') && flowPaths.has(path)) {
      const code = /Error code: <code>([a-z_]+)<\/code>/.exec(response.body)?.[1];
      if (!code || !problemCodes.has(code)) violations.push(`the flow page names no ProblemCode (${String(code)})`);
    } else {
      violations.push(`${status} answered as ${type || 'no content type'}, not problem+json`);
    }
  }

  if (status === 303) {
    const location = new URL(String(response.headers.location));
    const error = location.searchParams.get('error');
    if (location.searchParams.get('zoom_connect') === 'error' && (!error || !problemCodes.has(error))) {
      violations.push(`303 names error ${String(error)}, not a ProblemCode`);
    }
  }

  if (isOperation(method, path)) violations.push(...specProblems(method, path, response));
  return violations;
}
