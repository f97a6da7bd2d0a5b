import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, secretDigest, secretLookupKey, timeOrderedSecret, timeOrderedUuid } from '../../src/connect/secrets.js';

const at = Date.parse('2026-12-01T12:00:00.000Z');

describe('secrets', () => {
  it('hashes a secret to the base64url SHA-256 of its text, and digests it to the raw SHA-256', () => {
    const secret = 'a secret with non-ASCII: é';
    expect(hashSecret(secret)).toBe(createHash('sha256').update(secret).digest('base64url'));
    expect(secretDigest(secret).equals(createHash('sha256').update(secret).digest())).toBe(true);
  });

  describe('time-ordered ids (UUIDv7, RFC 9562)', () => {
    it('carry their time in the first 48 bits, version 7 and the RFC variant', () => {
      const id = timeOrderedUuid(at);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
    });

    it('sort by time, and differ within one millisecond', () => {
      const ids = [timeOrderedUuid(at + 1), timeOrderedUuid(at), timeOrderedUuid(at + 1000)];
      expect([...ids].sort()).toEqual([ids[1], ids[0], ids[2]]);
      expect(new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(at))).size).toBe(1000);
    });

    it('are read as UUIDs where UUIDs are expected', () => {
      expect(timeOrderedUuid().length).toBe(randomUUID().length);
    });
  });

  describe('time-ordered secrets and their lookup keys', () => {
    it('are the time in base 36, a dot and 32 random bytes; the key keeps the time and hashes all of it', () => {
      const secret = timeOrderedSecret(at);
      const [time, random] = secret.split('.');
      expect(time).toBe(at.toString(36).padStart(9, '0'));
      expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(secretLookupKey(secret)).toBe(`${time}.${hashSecret(secret)}`);
      expect(secretLookupKey(secret)).not.toContain(random);
    });

    it('sort by time as text', () => {
      const keys = [at + 5, at, at + 60_000].map((time) => secretLookupKey(timeOrderedSecret(time)));
      expect([...keys].sort()).toEqual([keys[1], keys[0], keys[2]]);
    });

    it('leave a secret without a time (base64url, as earlier versions made) as its hash alone', () => {
      const legacy = 'AqVWZHimU-JDB7QF2SBcLVtv86sWLR_SkJTUvgmiJ8k';
      expect(secretLookupKey(legacy)).toBe(hashSecret(legacy));
    });
  });
});
