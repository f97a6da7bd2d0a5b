// Demo mode's Recall is a stateless Prism mock: it answers every create with an example's fixed credential id,
// even one the gateway has deleted and retired, which real Recall never does (a deleted credential's id never
// comes back). Here a create whose id the gateway retired is answered with a fresh id instead, as Recall would
// create a new credential, so the credential lifecycle runs in the demo exactly as in production (tombstones
// included) and the domain code knows nothing of demo mode. Prism answers any id on the other operations.
import { randomUUID } from 'node:crypto';
import type { RecallApi } from '../recall/recall-api.js';
import type { Store } from '../store/store.js';

export function withFreshCredentialIds(recall: RecallApi, store: Pick<Store, 'retiredCredential'>): RecallApi {
  // Prism's id -> the id this demo process hands out for it now.
  const current = new Map<string, string>();
  return {
    ...recall,
    async createCredential(grant, options) {
      const answer = await recall.createCredential(grant, options);
      const exampleId = answer.credential.id;
      let id = current.get(exampleId) ?? exampleId;
      if (await store.retiredCredential(id)) {
        id = randomUUID();
        current.set(exampleId, id);
      }
      return { ...answer, credential: { ...answer.credential, id } };
    },
  };
}
