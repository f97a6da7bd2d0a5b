// Demo mode's Prism answers every create with an example's fixed id, a deleted one included; the demo wiring hands
// out a fresh id instead of a retired one, as real Recall would, so the credential lifecycle needs no demo case.
import { describe, expect, it } from 'vitest';
import { withFreshCredentialIds } from '../../src/demo/fresh-credential-ids.js';
import { openStore } from '../../src/store/index.js';
import type { RecallApi, ZoomOauthCredential } from '../../src/recall/recall-api.js';
import { recordCredentialDeleted } from '../support/store-changes.js';

const example: ZoomOauthCredential = {
  id: 'e96244cc-23c8-43cf-b039-59b2526ab397',
  oauth_app: '9a03bb66-31f6-4272-8074-38c7c675ecb0',
  status: 'healthy',
  user_id: '8rsd7e2S00SAsGowyy9GCQ',
  account_id: null,
  access_token_callback_url: null,
  created_at: '2025-03-04T10:15:22.481516Z',
  meeting_sync_status: 'completed',
};
const prism = { createCredential: async () => ({ credential: example, created: false }) } as unknown as RecallApi;
const grant = { code: 'code', redirectUri: 'https://gateway.example.com/callback', codeVerifier: null };

describe("the demo's Recall", () => {
  it("answers with Prism's id until the gateway retires it, then with a fresh one it keeps until that is retired too", async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const recall = withFreshCredentialIds(prism, store);
      expect((await recall.createCredential(grant)).credential.id).toBe(example.id);
      await recordCredentialDeleted(store, example.id, '2026-12-01T10:00:00.000Z');
      const fresh = (await recall.createCredential(grant)).credential;
      expect(fresh).toEqual({ ...example, id: expect.not.stringMatching(example.id) });
      expect((await recall.createCredential(grant)).credential.id).toBe(fresh.id);
      await recordCredentialDeleted(store, fresh.id, '2026-12-01T10:01:00.000Z');
      const another = (await recall.createCredential(grant)).credential.id;
      expect([example.id, fresh.id]).not.toContain(another);
    } finally {
      await store.close();
    }
  });
});
