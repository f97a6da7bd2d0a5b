// Records for the contract to store, each valid and unique by default so a test states only what it is about.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import type { ConnectSessionRecord, CredentialSnapshot, FlowRecord, SaveConnectionInput, Store } from '../../../src/store/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

/** A fixed clock: `at(5)` is five minutes after the start of every test's world. */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

/** Opens a fresh, empty store; with `events: false`, one that keeps no event (the contract's stores keep them). */
export type OpenStore = (options?: { events?: boolean }) => Promise<Store>;

/** A fresh store before each test, closed after it: tests never see each other's rows. */
export function useStore(open: OpenStore): () => Store {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  return () => {
    if (!store) throw new Error('the store is only open inside a test');
    return store;
  };
}

export function aConnectSession(overrides: Partial<ConnectSessionRecord> = {}): ConnectSessionRecord {
  return {
    id: randomUUID(),
    tokenHash: `token-${randomUUID()}`,
    launchHash: `launch-${randomUUID()}`,
    endUserId: `user-${randomUUID()}`,
    returnTo: 'https://app.example.com/settings',
    mode: 'redirect',
    createdAt: at(0),
    expiresAt: at(30),
    launchedAt: null,
    ...overrides,
  };
}

export function aFlow(sessionId: string, overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: randomUUID(),
    stateHash: `state-${randomUUID()}`,
    bindingHash: `binding-${randomUUID()}`,
    sessionId,
    codeVerifier: `verifier-${randomUUID()}`,
    issuer: 'https://zoom.us',
    attempt: 1,
    createdAt: at(1),
    expiresAt: at(11),
    consumedAt: null,
    ...overrides,
  };
}

export function aCredential(overrides: Partial<CredentialSnapshot> = {}): CredentialSnapshot {
  return {
    id: `cred-${randomUUID()}`,
    status: 'healthy',
    userId: `zoom-user-${randomUUID()}`,
    accountId: `zoom-account-${randomUUID()}`,
    meetingSyncStatus: 'completed',
    ...overrides,
  };
}

export function aSave(endUserId: string, credential: CredentialSnapshot, overrides: Partial<SaveConnectionInput> = {}): SaveConnectionInput {
  return {
    newConnectionId: randomUUID(),
    endUserId,
    credential,
    appKind: 'account_level',
    replacesCredentialIds: [],
    now: at(0),
    ...overrides,
  };
}

export function anEndUser(): string {
  return `user-${randomUUID()}`;
}
