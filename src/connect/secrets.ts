// Random secrets and their hashes. Only hashes are stored, so a copy of the database opens no session
// and finishes no flow; comparisons of secrets run in constant time.
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

// Random bytes are drawn from the CSPRNG 4 KiB at a time and each byte handed out once: one call into OpenSSL per
// 128 secrets instead of one per secret (crypto.randomUUID keeps such a cache too). A launch makes four secrets:
// randomBytes(32) took about 3.8 us a call here, a slice of the pool 0.4 us (7% of a CPU profile of the launch).
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function randomBytesFromPool(size: number): Buffer {
  if (size > pool.length) return randomFillSync(Buffer.alloc(size));
  if (poolUsed + size > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const bytes = pool.subarray(poolUsed, poolUsed + size);
  poolUsed += size;
  return bytes;
}

/** 32 random bytes, base64url: 43 characters, 256 bits. */
export const randomSecret = (bytes = 32) => randomBytesFromPool(bytes).toString('base64url');

/**
 * A row id that sorts by creation time: the database's index on it grows at its end, so the writes of one commit
 * touch one index page instead of one random page each. UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds,
 * then 74 random bits. Ids are not secrets: they name rows, and the time they show is when the row was made.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const bytes = randomBytesFromPool(16);
  const hex = now.toString(16).padStart(12, '0');
  const random = bytes.toString('hex');
  const variant = ((bytes[8]! & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${random.slice(13, 16)}-${variant}${random.slice(18, 20)}-${random.slice(20, 32)}`;
}

/**
 * A secret that sorts by creation time: Unix milliseconds in base 36, a dot, then 32 random bytes (randomSecret).
 * The time is not secret; the random part is. Its lookup key (secretLookupKey) keeps the time in front.
 */
export const timeOrderedSecret = (now = Date.now()) => `${now.toString(36).padStart(9, '0')}.${randomSecret()}`;

/**
 * What the store keeps of a secret to find it again, never the secret itself. For a time-ordered secret: its time
 * in the clear, a dot, then the hash of the whole secret, so the store's unique index on it grows at its end (the
 * writes of one commit touch one index page, not one random page each). For any other secret (such as one made by
 * an earlier version): its hash alone. Base64url has no dot, so the two never meet.
 */
export function secretLookupKey(secret: string): string {
  const dot = secret.indexOf('.');
  return dot === -1 ? hashSecret(secret) : `${secret.slice(0, dot)}.${hashSecret(secret)}`;
}

// crypto.hash, one call with no Hash object: 0.24 us a SHA-256 of a secret here, against 0.6 us for
// createHash().update().digest(); a launch hashes four secrets.
export const hashSecret = (secret: string) => hash('sha256', secret, 'base64url');

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceChallenge = (verifier: string) => hashSecret(verifier);

/** A secret's SHA-256, to compare in constant time: hashing makes every length equal. */
export const secretDigest = (value: string): Buffer => hash('sha256', value, 'buffer');

/** Compares two digests of secretDigest without leaking where they differ. */
export const sameDigest = (a: Buffer, b: Buffer): boolean => timingSafeEqual(a, b);

/** Compares two strings without leaking where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  return sameDigest(secretDigest(a), secretDigest(b));
}
