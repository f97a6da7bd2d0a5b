// RecallApi over the generated SDK: one hey-api client per instance (never the generated singleton, whose base
// URL and headers are global), each call with its own deadline, retried per retry.ts, failures mapped by errors.ts.
import { ZodError } from 'zod';
import { createClient, createConfig, type Client } from '../../generated/recall/client/index.js';
import {
  createZoomOauthCredential,
  deleteZoomOauthCredential,
  listZoomOauthCredentialLogs,
  listZoomOauthCredentials,
  retrieveZoomOauthApp,
  retrieveZoomOauthCredential,
  validateZoomOauthCredential,
} from '../../generated/recall/sdk.gen.js';
import { acceptApp, acceptCredential, acceptLogPage, acceptPage, cursorOf, type CredentialPage } from './answers.js';
import { callOnce, type CallOutcome, type CallReport, type RecallOperation, type SendFn } from './call.js';
import { recallErrorFor, rejectedBeforeSending } from './errors.js';
import { FirstExchangesWatch } from './first-exchanges.js';
import { createIdempotencyKey } from './idempotency.js';
import { rememberRequestBody, recallFetch } from './transport.js';
import { RecallConflictError, RecallError, type AuthorizationCodeGrant, type CredentialFilter, type RecallApi } from './recall-api.js';
import { withRetries, type RecallLogger, type RetrySettings } from './retry.js';

export interface RecallClientOptions {
  /** The region's host, e.g. https://us-east-1.recall.ai (no /api/v2: the SDK's paths carry it). */
  baseUrl: string;
  apiKey: string;
  /** The Recall id of the Zoom OAuth App: every credential created or listed belongs to it. */
  oauthAppId: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The HTTP transport; by default recallFetch (transport.ts), on node:http(s) without web streams. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: RecallLogger;
  onCall?: (call: CallReport) => void;
}

/** A lookup by one Zoom id longer than this is a loop (a cursor that never ends), not a real answer. */
export const MAX_LIST_PAGES = 50;

type Answer = Extract<CallOutcome, { kind: 'answer' }>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRecallClient(options: RecallClientOptions): RecallApi {
  const client = createClient(
    createConfig({ baseUrl: options.baseUrl, fetch: options.fetch ?? recallFetch, headers: { Authorization: `Token ${options.apiKey}` } }),
  );
  // The transport sends the body the client serialized, instead of reading it back out of the Request's stream.
  client.interceptors.request.use((request, opts) => {
    rememberRequestBody(request, opts.serializedBody);
    return request;
  });
  const send = sender(options);
  const { oauthAppId, logger } = options;
  const firstExchanges = new FirstExchangesWatch(logger);
  return {
    async createCredential(grant, { attempt = 'first' } = {}) {
      const exchange = { redirectUri: grant.redirectUri, pkce: grant.codeVerifier !== null };
      const headers = { 'Idempotency-Key': createIdempotencyKey(options.apiKey, oauthAppId, grant.code, attempt) };
      let answer: Answer;
      try {
        answer = await send('create', (signal) => createZoomOauthCredential({ client, signal, headers, body: createBody(oauthAppId, grant) }), [
          grant.code,
          grant.codeVerifier ?? '',
        ]);
      } catch (error) {
        if (error instanceof RecallConflictError) firstExchanges.record('exchanged', exchange);
        if (error instanceof RecallError && error.code === 'recall_invalid_grant') firstExchanges.record('invalid_grant', exchange);
        throw error;
      }
      firstExchanges.record('exchanged', exchange);
      // 201 is a new credential; 200 is Recall's current re-authorization answer: the same id, updated.
      return { credential: acceptCredential(answer.body, logger), created: answer.status === 201 };
    },

    async listCredentials(filter) {
      return listAllPages((cursor) => listPage(client, send, oauthAppId, filter, cursor, logger));
    },

    async listCredentialPage(filter, cursor) {
      return listPage(client, send, oauthAppId, filter, cursor, logger);
    },

    async retrieveCredential(id) {
      const answer = await send('retrieve', (signal) => retrieveZoomOauthCredential({ client, signal, path: { id } }));
      return acceptCredential(answer.body, logger);
    },

    async deleteCredential(id) {
      try {
        await send('delete', (signal) => deleteZoomOauthCredential({ client, signal, path: { id } }));
        return 'deleted';
      } catch (error) {
        // Also what a retried delete sees when the first attempt did delete before its answer was lost.
        if (error instanceof RecallError && error.code === 'recall_not_found') return 'already_gone';
        throw error;
      }
    },

    async validateCredential(id) {
      await send('validate', (signal) => validateZoomOauthCredential({ client, signal, path: { id } }));
    },

    async listCredentialLogs(credentialId) {
      const query = { credential: credentialId, ordering: '-created_at' };
      const answer = await send('logs', (signal) => listZoomOauthCredentialLogs({ client, signal, query }));
      return acceptLogPage(answer.body);
    },

    async retrieveOauthApp() {
      const answer = await send('app', (signal) => retrieveZoomOauthApp({ client, signal, path: { id: oauthAppId } }));
      return acceptApp(answer.body, logger);
    },
  };
}

type Send = (operation: RecallOperation, request: SendFn, secrets?: readonly string[]) => Promise<Answer>;

/** Sends one operation with deadline and retries; resolves with a 2xx answer, or throws its RecallError. */
function sender(options: RecallClientOptions): Send {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const settings: RetrySettings = {
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 8000,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? realSleep,
    logger: options.logger,
  };
  const report = (call: CallReport) => {
    options.logger?.debug?.(call, 'Recall call');
    options.onCall?.(call);
  };
  return async (operation, request, secrets = []) => {
    const outcome = await withRetries(operation, settings, () => callOnce(operation, timeoutMs, request, report)).catch((error: unknown) => {
      throw error instanceof ZodError ? rejectedBeforeSending(operation, error) : error;
    });
    if (outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300) return outcome;
    const error = recallErrorFor(operation, outcome, [options.apiKey, ...secrets]);
    if (isRefusal(operation, error)) {
      // The user is told a problem code; what Recall really said is the operator's, and only here.
      options.logger?.warn(
        { operation, status: error.status, code: error.code, problem: error.problem, recallDetail: error.recallDetail },
        `Recall refused ${operation}: ${error.message}`,
      );
    }
    throw error;
  };
}

/** A create Recall turned down for a reason the operator must read (a legacy conflict the flow resolves is not one). */
function isRefusal(operation: RecallOperation, error: RecallError): boolean {
  return operation === 'create' && error.status === 400 && error.code !== 'recall_conflict';
}

function createBody(oauthAppId: string, grant: AuthorizationCodeGrant) {
  return {
    oauth_app: oauthAppId,
    // The redirect URI goes out exactly as given: Zoom compares it byte for byte with the authorize request's.
    authorization_code: {
      code: grant.code,
      redirect_uri: grant.redirectUri,
      // Without PKCE the field is left out, as Recall's own sample does.
      ...(grant.codeVerifier === null ? {} : { code_verifier: grant.codeVerifier }),
    },
  };
}

/** One page of the app's credentials; `next` is the cursor of the page after it, or null on the last. */
async function listPage(
  client: Client,
  send: Send,
  oauthAppId: string,
  filter: CredentialFilter,
  cursor: string | undefined,
  logger: RecallLogger | undefined,
): Promise<CredentialPage> {
  // oauth_app always: the workspace may hold other apps' credentials, which are none of the gateway's business.
  const query = { oauth_app: oauthAppId, user_id: filter.userId, account_id: filter.accountId, status: filter.status, cursor };
  const answer = await send('list', (signal) => listZoomOauthCredentials({ client, signal, query }));
  const { results, next } = acceptPage(answer.body, logger);
  return { results, next: next === null ? null : cursorOf(next) };
}

/**
 * Every page of a lookup by one Zoom id (a conflict's), which Recall answers with one credential or none. The
 * bound only stops a cursor that never ends; the health sync walks its long list page by page instead.
 */
async function listAllPages(page: (cursor: string | undefined) => Promise<CredentialPage>) {
  const credentials = [];
  let cursor: string | undefined;
  for (let read = 0; read < MAX_LIST_PAGES; read++) {
    const { results, next } = await page(cursor);
    credentials.push(...results);
    if (next === null) return credentials;
    cursor = next;
  }
  throw new RecallError('recall_unavailable', `Recall's credential list did not end within ${MAX_LIST_PAGES} pages`);
}
