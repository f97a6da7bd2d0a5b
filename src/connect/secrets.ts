// Random secrets and their hashes. Only hashes are stored, so a copy of the database opens no session
// and finishes no flow; comparisons of secrets run in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters, 256 bits. */
export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceChallenge = (verifier: string) => hashSecret(verifier);

/** Compares two strings without leaking where they differ; hashing first makes the lengths equal. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
