// What the Recall client tests share: the ids of openapi/recall.yaml's story, a valid grant, a client with a
// sleep that records instead of waiting, and a way to catch the RecallError a call throws.
import { expect } from 'vitest';
import { createRecallClient, type RecallClientOptions } from '../../src/recall/client.js';
import { RecallError, type AuthorizationCodeGrant } from '../../src/recall/recall-api.js';

export const appId = '9a03bb66-31f6-4272-8074-38c7c675ecb0';
export const createdId = '3e61f7a6-1983-4b88-8a75-c5078831ee16';
export const existingId = 'e96244cc-23c8-43cf-b039-59b2526ab397';
export const apiKey = 'recall-test-key-5f2d9c1e8a7b4c3d';

export const grant: AuthorizationCodeGrant = {
  code: 'JFiSLNVIEejhfiJLmU6AuTnKZQ',
  redirectUri: 'https://connect.example.com/v1/connect/zoom/callback',
  codeVerifier: 'M25iVXpKU3puUjFaYWg3T1NKTXc5d0dmSU5ZbGRGSkxCeEJ0bmdWOGxQVQ',
};

export interface LogLine {
  level: 'warn' | 'debug';
  obj: object;
  msg: string;
}

export function recallClient(options: Pick<RecallClientOptions, 'baseUrl' | 'fetch'> & Partial<RecallClientOptions>) {
  const delays: number[] = [];
  const logs: LogLine[] = [];
  const api = createRecallClient({
    apiKey,
    oauthAppId: appId,
    sleep: async (ms) => {
      delays.push(ms);
    },
    logger: {
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
    },
    ...options,
  });
  return { api, delays, logs };
}

/** The RecallError a call rejects with (the test fails if it resolves or throws anything else). */
export async function recallFailure(call: Promise<unknown>): Promise<RecallError> {
  const error = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(RecallError);
  return error as RecallError;
}
