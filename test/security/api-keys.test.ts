// Gateway API keys are compared in constant time: what a request takes must not tell an attacker how much of a
// key they guessed right, nor which configured key (if any) it resembles. A timing test on a shared machine would
// prove nothing either way, so this proves the construction, through real requests: every request that carries a
// bearer on an API-key route makes exactly one crypto.timingSafeEqual per configured key (no early exit when one
// matches, none skipped when lengths differ), each over two SHA-256 digests (equal lengths whatever was sent), and
// the only other look at the key is the digest itself. Nothing in the gateway compares keys with === or startsWith.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { testApiKey, useGateway } from '../support/gateway.js';

const comparisons = vi.hoisted(() => ({ lengths: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    comparisons.lengths.push([a.byteLength, b.byteLength]);
    return crypto.timingSafeEqual(a, b);
  };
  return { ...crypto, default: { ...crypto, timingSafeEqual }, timingSafeEqual };
});

const configuredKeys = [testApiKey, 'test-gateway-api-key-0002']; // GATEWAY_API_KEYS of test/support/gateway.ts

describe('gateway API keys', () => {
  const gateway = useGateway();

  const candidates: [string, string, number][] = [
    ['the first configured key', testApiKey, 200],
    ['the second configured key', configuredKeys[1]!, 200],
    ['a key wrong in its first character', `X${testApiKey.slice(1)}`, 401],
    ['a key wrong in its last character', `${testApiKey.slice(0, -1)}X`, 401],
    ['a prefix of a key', testApiKey.slice(0, 10), 401],
    ['a key with a suffix', `${testApiKey}0`, 401],
    ['a one-character key', 'x', 401],
    ['a 4 kB key', 'k'.repeat(4096), 401],
  ];

  it.each(candidates)('makes one timingSafeEqual per configured key, over 32-byte digests, for %s', async (_name, key, status) => {
    comparisons.lengths = [];
    const response = await gateway.request({ method: 'GET', url: '/v1/connections', headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(status);
    expect(comparisons.lengths).toEqual(configuredKeys.map(() => [32, 32]));
  });

  it('compares the same way on every API-key route', async () => {
    const routes = [
      { method: 'POST', url: '/v1/connect-sessions', payload: { end_user_id: 'u' } },
      { method: 'GET', url: '/v1/connections/4514327a-fb47-471b-a0b3-4f1f2300723a' },
      { method: 'DELETE', url: '/v1/connections/4514327a-fb47-471b-a0b3-4f1f2300723a' },
      { method: 'POST', url: '/v1/connections/4514327a-fb47-471b-a0b3-4f1f2300723a/refresh' },
    ] as const;
    for (const route of routes) {
      comparisons.lengths = [];
      const response = await gateway.request({ ...route, headers: { authorization: `Bearer ${testApiKey.slice(0, -1)}X` } });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(comparisons.lengths, `${route.method} ${route.url}`).toEqual(configuredKeys.map(() => [32, 32]));
    }
  });

  // The counts above would not see a short-circuiting look at the key made *besides* the digests (keys.includes).
  it('has no other comparison of a key in the auth plugin (includes, indexOf, ===, startsWith)', () => {
    const source = readFileSync(path.resolve(import.meta.dirname, '../../src/plugins/auth.ts'), 'utf8');
    expect(source).not.toMatch(/apiKeys\.(includes|indexOf|find|some)\(|===\s*key\b|key\s*===|startsWith\(/);
  });
});
