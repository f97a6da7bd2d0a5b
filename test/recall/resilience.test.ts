// What Prism cannot play: answers that never come, connections that fail, bodies that stray from the spec, and
// exactly how long the client waits between attempts. A fake fetch answers from a script, one step per call.
import { describe, expect, it } from 'vitest';
import type { CallReport } from '../../src/recall/call.js';
import type { RecallClientOptions } from '../../src/recall/client.js';
import { apiKey, existingId, grant, recallClient, recallFailure } from './fixtures.js';

type Step = (request: Request) => Response | Promise<Response>;

const baseUrl = 'https://recall.test';
const credential = {
  id: existingId,
  oauth_app: '9a03bb66-31f6-4272-8074-38c7c675ecb0',
  status: 'healthy',
  user_id: '8rsd7e2S00SAsGowyy9GCQ',
  account_id: null,
  access_token_callback_url: null,
  created_at: '2025-03-04T10:15:22.481516Z',
  meeting_sync_status: 'completed',
};

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
/** Never answers: only the client's own deadline ends it. */
const hang: Step = (request) => new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
const connectionRefused: Step = () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }) });
};

function fakeRecall(...steps: Step[]) {
  const requests: Request[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const step = steps.shift();
    if (!step) throw new Error(`unexpected call ${request.method} ${request.url}`);
    return step(request);
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

function clientFor(recall: ReturnType<typeof fakeRecall>, options: Partial<RecallClientOptions> = {}) {
  const calls: CallReport[] = [];
  const client = recallClient({ baseUrl, fetch: recall.fetch, timeoutMs: 50, onCall: (call) => calls.push(call), ...options });
  return { ...client, calls };
}

describe('timeouts and network errors', () => {
  it('retries a read that timed out', async () => {
    const recall = fakeRecall(hang, json(200, credential));
    const { api, calls } = clientFor(recall);
    expect((await api.retrieveCredential(existingId)).id).toBe(existingId);
    expect(calls.map((c) => c.status)).toEqual(['timeout', 200]);
  });

  it('sends a create that timed out again, with the same Idempotency-Key (Recall replays or acts once)', async () => {
    const recall = fakeRecall(hang, json(201, credential));
    const { api, calls } = clientFor(recall);
    expect((await api.createCredential(grant)).credential.id).toBe(existingId);
    expect(calls.map((c) => c.status)).toEqual(['timeout', 201]);
    const [first, second] = recall.requests.map((request) => request.headers.get('idempotency-key'));
    expect(first).toMatch(/^zcg-create-/);
    expect(second).toBe(first);
  });

  it('gives up on a create after maxAttempts timeouts, naming the deadline', async () => {
    const recall = fakeRecall(hang, hang, hang, hang);
    const error = await recallFailure(clientFor(recall).api.createCredential(grant));
    expect(error.code).toBe('recall_unavailable');
    expect(error.message).toContain('50 ms');
    expect(recall.requests).toHaveLength(4);
  });

  it('retries a read after a network error', async () => {
    const recall = fakeRecall(connectionRefused, json(200, { next: null, previous: null, results: [credential] }));
    const { api, calls } = clientFor(recall);
    expect(await api.listCredentials({})).toHaveLength(1);
    expect(calls.map((c) => c.status)).toEqual(['network_error', 200]);
  });

  it('sends a create again after a network error, with the same key, and names the cause when it keeps failing', async () => {
    const recall = fakeRecall(connectionRefused, json(201, credential));
    expect((await clientFor(recall).api.createCredential(grant)).credential.id).toBe(existingId);
    expect(new Set(recall.requests.map((request) => request.headers.get('idempotency-key'))).size).toBe(1);
    const failing = fakeRecall(connectionRefused, connectionRefused, connectionRefused, connectionRefused);
    const error = await recallFailure(clientFor(failing).api.createCredential(grant));
    expect(error.code).toBe('recall_unavailable');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('gives up after maxAttempts timeouts', async () => {
    const recall = fakeRecall(hang, hang, hang);
    const error = await recallFailure(clientFor(recall, { maxAttempts: 3 }).api.validateCredential(existingId));
    expect(error.code).toBe('recall_unavailable');
    expect(recall.requests).toHaveLength(3);
  });
});

describe('backoff', () => {
  it('doubles the delay from baseDelayMs and caps it at maxDelayMs (random() = 1)', async () => {
    const recall = fakeRecall(...Array.from({ length: 6 }, () => json(503, { detail: 'down' })));
    const { api, delays } = clientFor(recall, { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 1000, random: () => 1 });
    await recallFailure(api.retrieveCredential(existingId));
    expect(delays).toEqual([250, 500, 1000, 1000, 1000]);
  });

  it('draws each delay between 0 and the exponential ceiling (full jitter)', async () => {
    const recall = fakeRecall(json(502, '<html>'), json(502, '<html>'), json(200, credential));
    const { api, delays } = clientFor(recall, { baseDelayMs: 100, random: () => 0.25 });
    await api.retrieveCredential(existingId);
    expect(delays).toEqual([25, 50]);
  });

  it('waits until the HTTP date a 429 names in Retry-After', async () => {
    const retryAt = new Date(Date.now() + 5000).toUTCString();
    const recall = fakeRecall(json(429, { detail: 'throttled' }, { 'retry-after': retryAt }), json(200, credential));
    const { api, delays } = clientFor(recall, { random: () => 0 });
    await api.retrieveCredential(existingId);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(3000);
    expect(delays[0]).toBeLessThanOrEqual(5000);
  });

  it('fails at once with recall_unavailable when Retry-After exceeds maxDelayMs', async () => {
    const recall = fakeRecall(json(429, { detail: 'throttled' }, { 'retry-after': '30' }), json(201, credential));
    const { api, delays } = clientFor(recall);
    const error = await recallFailure(api.createCredential(grant));
    expect(error).toMatchObject({ code: 'recall_unavailable', status: 429 });
    expect(error.message).toContain('30 s');
    expect(delays).toEqual([]);
    expect(recall.requests).toHaveLength(1);
  });
});

describe('success bodies', () => {
  it('reads a credential without status as healthy', async () => {
    const { status: _, meeting_sync_status: __, ...withoutStatus } = credential;
    const recall = fakeRecall(json(201, withoutStatus));
    const { credential: created } = await clientFor(recall).api.createCredential(grant);
    expect(created.status).toBe('healthy');
  });

  it('accepts, with a warning, a credential that strays from the spec but has an id', async () => {
    const recall = fakeRecall(json(200, { id: existingId, oauth_app: credential.oauth_app, status: 'healthy', region: 'us-east-1' }));
    const { api, logs } = clientFor(recall);
    expect((await api.retrieveCredential(existingId)).id).toBe(existingId);
    expect(logs.some((l) => l.level === 'warn' && l.msg.includes('does not match the spec'))).toBe(true);
  });

  it('reports a success body without an id as recall_unavailable', async () => {
    const recall = fakeRecall(json(200, { detail: 'ok' }));
    const error = await recallFailure(clientFor(recall).api.retrieveCredential(existingId));
    expect(error.code).toBe('recall_unavailable');
  });
});

describe('secrets', () => {
  const verifier = grant.codeVerifier;

  it('keeps the API key, the code and the verifier out of logs and error messages', async () => {
    const echo = { detail: `Failed to exchange ${grant.code}: invalid_grant (verifier ${verifier}, key ${apiKey})` };
    const recall = fakeRecall(json(429, { detail: 'throttled' }, { 'retry-after': '1' }), json(503, { detail: 'down' }), json(400, echo));
    const { api, logs } = clientFor(recall);
    const error = await recallFailure(api.createCredential(grant));
    expect(error.code).toBe('recall_invalid_grant');
    expect(recall.requests).toHaveLength(3);
    const said = JSON.stringify({ message: error.message, logs });
    for (const secret of [apiKey, grant.code, verifier]) expect(said).not.toContain(secret);
    expect(logs.filter((l) => l.level === 'warn').map((l) => Object.keys(l.obj).sort())).toEqual([
      ['delayMs', 'operation', 'status'],
      ['delayMs', 'operation', 'status'],
      // The refusal, with Recall's words redacted.
      ['code', 'operation', 'problem', 'recallDetail', 'status'],
    ]);
  });

  it('refuses a grant that breaks the spec before sending it, without quoting it', async () => {
    const recall = fakeRecall();
    const badVerifier = 'too-short-but-still-secret';
    const error = await recallFailure(clientFor(recall).api.createCredential({ ...grant, codeVerifier: badVerifier }));
    expect(error.code).toBe('recall_rejected');
    expect(error.message).toContain('authorization_code.code_verifier');
    expect(error.message).not.toContain(badVerifier);
    expect(error.message).not.toContain(grant.code);
    expect(recall.requests).toHaveLength(0);
  });
});
