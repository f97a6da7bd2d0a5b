import { describe, expect, it, vi } from 'vitest';
import { testApiKey, useGateway } from '../support/gateway.js';

// Count the constant-time comparisons and the hashes apiKeyMatcher makes, keeping the real ones.
const comparisons = vi.hoisted(() => ({ count: 0, hashes: 0 }));
vi.mock('../../src/connect/secrets.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/connect/secrets.js')>();
  return {
    ...original,
    sameDigest: (a: Buffer, b: Buffer) => {
      comparisons.count++;
      return original.sameDigest(a, b);
    },
    secretDigest: (value: string) => {
      comparisons.hashes++;
      return original.secretDigest(value);
    },
  };
});

const { apiKeyMatcher } = await import('../../src/plugins/auth.js');
const isOneOf = (candidate: string, keys: readonly string[]) => apiKeyMatcher(keys)(candidate);

const keys = ['first-key-0123456789', 'second-key-0123456789', 'third-key-0123456789'];

describe('apiKeyMatcher', () => {
  it('accepts each configured key', () => {
    for (const key of keys) expect(isOneOf(key, keys)).toBe(true);
  });

  it('refuses a key of the same length that differs in one character', () => {
    expect(isOneOf('first-key-0123456788', keys)).toBe(false);
  });

  it('refuses a key of another length, a prefix and an extension', () => {
    expect(isOneOf('short', keys)).toBe(false);
    expect(isOneOf('first-key-012345678', keys)).toBe(false);
    expect(isOneOf('first-key-01234567890', keys)).toBe(false);
  });

  it('refuses everything when no key is configured', () => {
    expect(isOneOf('', [])).toBe(false);
    expect(isOneOf('first-key-0123456789', [])).toBe(false);
  });

  it('compares against every key even when the first one matches (no early exit)', () => {
    const isApiKey = apiKeyMatcher(keys);
    comparisons.count = 0;
    expect(isApiKey(keys[0]!)).toBe(true);
    expect(comparisons.count).toBe(keys.length);
    comparisons.count = 0;
    expect(isApiKey('nothing-like-any-key')).toBe(false);
    expect(comparisons.count).toBe(keys.length);
  });

  it('hashes the configured keys once, and each candidate once', () => {
    comparisons.hashes = 0;
    const isApiKey = apiKeyMatcher(keys);
    expect(comparisons.hashes).toBe(keys.length);
    comparisons.hashes = 0;
    for (const candidate of [keys[1]!, 'nothing-like-any-key', keys[2]!]) isApiKey(candidate);
    expect(comparisons.hashes).toBe(3);
  });
});

describe('API key authentication', () => {
  const gateway = useGateway();
  const list = (authorization?: string) =>
    gateway.request({ method: 'GET', url: '/v1/connections', headers: authorization === undefined ? {} : { authorization } });

  it('accepts every key of GATEWAY_API_KEYS (rotation)', async () => {
    expect((await list(`Bearer ${testApiKey}`)).statusCode).toBe(200);
    expect((await list('Bearer test-gateway-api-key-0002')).statusCode).toBe(200);
  });

  it.each([
    ['a wrong key of the same length', `Bearer ${testApiKey.slice(0, -1)}9`],
    ['a wrong key of another length', 'Bearer nope'],
    ['a key with a suffix', `Bearer ${testApiKey}x`],
    ['no Bearer scheme', testApiKey],
    ['a Basic scheme', `Basic ${Buffer.from(`${testApiKey}:`).toString('base64')}`],
    ['an empty bearer', 'Bearer '],
    ['no Authorization header', undefined],
  ])('answers %s with 401 unauthorized and a WWW-Authenticate challenge', async (_name, authorization) => {
    const response = await list(authorization);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('unauthorized');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="zoom-connect-gateway"');
  });

  it('accepts the scheme name in any case', async () => {
    expect((await list(`bearer ${testApiKey}`)).statusCode).toBe(200);
  });
});
