// The converter the fuzz suite draws its valid inputs from: for every schema hey-api generated from
// gateway.yaml, every value it produces is one the schema accepts (else "valid" fuzz inputs would not be).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as gatewaySchemas from '../../generated/gateway/zod.gen.js';
import { arbitraryOf, queryArbitraryOf } from './zod-arbitrary.js';

const isSchema = (value: unknown): value is z.ZodType => typeof value === 'object' && value !== null && '_zod' in value;
const schemas = Object.entries(gatewaySchemas as Record<string, unknown>).filter((entry): entry is [string, z.ZodType] => isSchema(entry[1]));

describe('arbitraries derived from the generated zod schemas', () => {
  it('covers every schema of generated/gateway/zod.gen.ts', () => {
    expect(schemas.length).toBeGreaterThanOrEqual(30);
  });

  it.each(schemas)('%s: every generated value is accepted by the schema', (_name, schema) => {
    fc.assert(
      fc.property(arbitraryOf(schema), (value) => {
        const parsed = schema.safeParse(value);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('writes query parameters as text, leaving absent ones out', () => {
    fc.assert(
      fc.property(queryArbitraryOf(gatewaySchemas.zListConnectionsQuery), (query) => {
        for (const value of Object.values(query)) expect(typeof value).toBe('string');
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a zod construct it does not know, naming it', async () => {
    const { z: zod } = await import('zod');
    expect(() => arbitraryOf(zod.bigint())).toThrow(/bigint/);
  });
});
