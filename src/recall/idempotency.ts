// The Idempotency-Key of a create. Recall replays the first answer to a key for an hour (and answers 409 while
// the first request runs), identifying the request by key, API key and path, not by the body. So:
// - the same authorization code gives the same key, on every attempt and on every instance, so that a create
//   that timed out can be sent again without spending Zoom's single-use code twice;
// - the create sent again after a legacy conflict was cleared gets a key of its own (`after_conflict`), or Recall
//   would replay the conflict;
// - the key never exposes the code: an HMAC of it, keyed with the Recall API key.
import { createHmac } from 'node:crypto';

export type CreateAttempt = 'first' | 'after_conflict';

export function createIdempotencyKey(apiKey: string, oauthAppId: string, code: string, attempt: CreateAttempt): string {
  const digest = createHmac('sha256', apiKey).update(`zoom-oauth-credential-create\0${oauthAppId}\0${attempt}\0${code}`).digest('base64url');
  return `zcg-create-${digest}`;
}
