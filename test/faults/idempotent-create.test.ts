// An idempotent create against the stateful fake Recall, which keeps Recall's idempotency (the first answer to a
// key replayed, 409 while it is being made) and Zoom's single-use codes: a create whose answer was lost after
// Recall acted is sent again with the same key and connects, with one credential and the code spent once. Without
// the key the second create would have met a spent code (invalid_grant) and the user would have seen a failure.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRecallClient } from '../../src/recall/client.js';
import { appOrigin, oauthAppId, testApiKey, testRecallKey, zoomClientId } from '../support/gateway.js';
import { connectFlow } from './browser.js';
import { FakeRecall, FakeZoom, type FaultKind, type RecallOperation } from './fake-recall.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';

const returnTo = `${appOrigin}/settings`;
const identity = { userId: 'zoom-user-1', accountId: 'zoom-account-1' };

describe('a create whose answer is lost', () => {
  let gateway: GatewayUnderTest | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it.each<FaultKind>(['timeout_after', 'reset_after'])(
    'connects after %s: the retry gets the first answer again, the code was spent once',
    async (fault) => {
      gateway = await startGateway();
      gateway.recall.script('create', fault);
      const end = await connectFlow(gateway.send, gateway.zoom, { endUserId: 'user_1', identity, apiKey: testApiKey, returnTo });
      expect(end).toMatchObject({ result: 'connected' });
      expect([...gateway.recall.credentials.values()].map((credential) => credential.user_id)).toEqual(['zoom-user-1']);
      expect(gateway.recall.replays).toEqual([201]);
      expect(gateway.zoom.issued.filter((code) => code.spent)).toHaveLength(1);
      const connection = await gateway.store.getConnectionByEndUser('user_1');
      expect(gateway.recall.credentials.has(connection!.recallCredentialId!)).toBe(true);
    },
  );
});

describe('a create retried while the first is still running', () => {
  it('is answered 409, waits, and gets the first answer once it is made', async () => {
    const zoom = new FakeZoom();
    let firstHeld!: () => void;
    let sawConflict!: () => void;
    const conflictSeen = new Promise<void>((resolve) => (sawConflict = resolve));
    const firstCreateHeld = new Promise<void>((resolve) => (firstHeld = resolve));
    let creates = 0;
    const recall: FakeRecall = new FakeRecall({
      apiKey: testRecallKey,
      oauthAppId,
      zoomClientId,
      zoom,
      kind: 'user_level',
      reauthorization: 'update',
      // The first create is held (Recall exchanging the code with Zoom) until its retry has met the 409.
      gate: async (operation: RecallOperation, phase) => {
        if (operation !== 'create' || phase !== 'before' || ++creates > 1) return;
        firstHeld();
        await conflictSeen;
      },
    });
    // Like a real connection: the client's deadline ends its wait, while Recall goes on with the request.
    const watched = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const aborted = new Promise<never>((_, reject) =>
        request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }),
      );
      const response = await Promise.race([recall.fetch(request), aborted]);
      if (response.status === 409) sawConflict();
      return response;
    }) as typeof fetch;
    const delays: number[] = [];
    const client = createRecallClient({
      baseUrl: recall.baseUrl,
      apiKey: testRecallKey,
      oauthAppId,
      fetch: watched,
      timeoutMs: 100,
      baseDelayMs: 10,
      sleep: async (ms) => {
        delays.push(ms);
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 1100)));
      },
    });
    const { code } = zoom.authorize(
      `https://zoom.test/oauth/authorize?response_type=code&code_challenge_method=S256&code_challenge=${challengeOf('v'.repeat(43))}` +
        `&redirect_uri=${encodeURIComponent('https://gateway.example.com/cb')}&state=s&client_id=${zoomClientId}`,
      identity,
    );
    const created = client.createCredential({ code, redirectUri: 'https://gateway.example.com/cb', codeVerifier: 'v'.repeat(43) });
    await firstCreateHeld;
    const { credential } = await created;
    expect(recall.replays).toEqual([409, 201]);
    expect(recall.credentials.get(credential.id)?.user_id).toBe('zoom-user-1');
    expect(recall.credentials.size).toBe(1);
    expect(recall.calls.filter((call) => call.operation === 'create').map((call) => call.outcome)).toEqual([409, 201, 201]);
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(1000);
  });
});

function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
