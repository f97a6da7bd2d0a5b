// Drives the Prism mock of Recall one call at a time: a test queues the outcome each call of an operation gets
// (a `Prefer` header naming a status code and example of openapi/recall.yaml), then reads the calls Recall
// received. Any `sl-violations` header (Prism's word that a request or answer broke the spec) is collected,
// and useRecallScenario fails the test on it.
import { afterEach, beforeEach, expect } from 'vitest';
import { usePrism } from './prism.js';
import { recallFetch } from '../../src/recall/transport.js';

export type RecallOperation = 'create' | 'list' | 'retrieve' | 'delete' | 'validate' | 'logs' | 'app';

export interface RecordedCall {
  operation: RecallOperation;
  method: string;
  /** Pathname and search, e.g. /api/v2/zoom-oauth-credentials/?oauth_app=... */
  path: string;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** The Prefer header this call was sent with, or undefined when Prism answered its default. */
  prefer: string | undefined;
  authorization: string | undefined;
  /** The Idempotency-Key header, when the call carried one. */
  idempotencyKey: string | undefined;
}

export interface RecallScenario {
  /** Pass as the client's fetch; the client's base URL must be the Prism mock's. */
  fetch: typeof fetch;
  /** Queues Prefer values for the next calls of `operation`, one per call, in order. */
  prefer(operation: RecallOperation, ...prefer: string[]): void;
  calls: RecordedCall[];
  violations: string[];
}

const CREDENTIALS = '/api/v2/zoom-oauth-credentials/';
const CREDENTIAL = /^\/api\/v2\/zoom-oauth-credentials\/[^/]+\/$/;
const VALIDATE = /^\/api\/v2\/zoom-oauth-credentials\/[^/]+\/validate\/$/;
const APP = /^\/api\/v2\/zoom-oauth-apps\/[^/]+\/$/;
const LOGS = '/api/v2/zoom-oauth-credential-logs/';

function operationOf(method: string, pathname: string): RecallOperation | undefined {
  if (pathname === CREDENTIALS) return method === 'POST' ? 'create' : method === 'GET' ? 'list' : undefined;
  if (pathname === LOGS) return method === 'GET' ? 'logs' : undefined;
  if (VALIDATE.test(pathname)) return method === 'POST' ? 'validate' : undefined;
  if (CREDENTIAL.test(pathname)) return method === 'GET' ? 'retrieve' : method === 'DELETE' ? 'delete' : undefined;
  if (APP.test(pathname)) return method === 'GET' ? 'app' : undefined;
  return undefined;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function recallScenario(prismUrl: string): RecallScenario {
  const queues = new Map<RecallOperation, string[]>();
  const calls: RecordedCall[] = [];
  const violations: string[] = [];
  // The gateway's own transport to Recall (a test may stub globalThis.fetch, the scenario must still reach Prism).
  const realFetch = recallFetch;
  const base = new URL(prismUrl);

  const scenarioFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const path = `${url.pathname}${url.search}`;
    const operation = operationOf(request.method, url.pathname);
    if (!operation || url.origin !== base.origin) {
      violations.push(`not a Recall operation of the mock: ${request.method} ${request.url}`);
      throw new TypeError(`recallScenario: ${request.method} ${path} is not a Recall operation at ${prismUrl}`);
    }
    const prefer = queues.get(operation)?.shift();
    const text = request.body ? await request.clone().text() : '';
    const headers = new Headers(request.headers);
    headers.delete('prefer');
    if (prefer !== undefined) headers.set('Prefer', prefer);
    calls.push({
      operation,
      method: request.method,
      path,
      body: parseBody(text),
      prefer,
      authorization: request.headers.get('authorization') ?? undefined,
      idempotencyKey: request.headers.get('idempotency-key') ?? undefined,
    });
    const response = await realFetch(request.url, { method: request.method, headers, body: text || undefined, signal: request.signal });
    const violation = response.headers.get('sl-violations');
    if (violation) violations.push(`${operation} ${request.method} ${path}: ${violation}`);
    return response;
  };

  return {
    fetch: scenarioFetch as typeof fetch,
    prefer(operation, ...prefer) {
      queues.set(operation, [...(queues.get(operation) ?? []), ...prefer]);
    },
    calls,
    violations,
  };
}

/**
 * For a describe block (or a test file): Prism on the Recall spec for the whole file, a fresh scenario for each
 * test, and a failed test when Prism reported a violation. The returned object reads the current scenario.
 */
export function useRecallScenario(): RecallScenario & { readonly url: string } {
  const prism = usePrism('recall');
  let current: RecallScenario | undefined;
  const scenario = (): RecallScenario => {
    if (!current) throw new Error('no Recall scenario: use it inside a test, after useRecallScenario() ran its beforeEach');
    return current;
  };
  beforeEach(() => {
    current = recallScenario(prism.url);
  });
  afterEach(() => {
    expect(scenario().violations, 'Prism reported spec violations').toEqual([]);
  });
  return {
    get url() {
      return prism.url;
    },
    // A stable function, so a client built once per file still reaches each test's own scenario.
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => scenario().fetch(input, init)) as typeof fetch,
    prefer: (operation, ...prefer) => scenario().prefer(operation, ...prefer),
    get calls() {
      return scenario().calls;
    },
    get violations() {
      return scenario().violations;
    },
  };
}
