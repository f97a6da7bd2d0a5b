import { describe, expect, it } from 'vitest';
import { collectExamples, loadSpec, pointer, schemaValidator, type SpecName } from '../support/spec.js';

const specs: SpecName[] = ['recall', 'gateway'];

describe.each(specs)('every named example of %s.yaml', (name) => {
  const doc = loadSpec(name);
  const validate = schemaValidator(doc);
  const examples = collectExamples(doc);

  it('is collected (the spec has examples for its outcomes)', () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  it.each(examples.map((e) => [`${e.name} at ${e.usedAt}`, e] as const))('%s matches its schema', (_, example) => {
    expect(validate(example.schemaPointer, example.value)).toEqual([]);
  });
});

describe('the example check', () => {
  it('fails an example that breaks its schema', () => {
    const doc = loadSpec('recall');
    const broken = collectExamples(doc).find((e) => e.name === 'created');
    expect(broken).toBeDefined();
    const validate = schemaValidator(doc);
    expect(validate(broken!.schemaPointer, { ...(broken!.value as object), id: 'not-a-uuid', status: 'sleepy' })).toHaveLength(2);
  });

  it('escapes path segments the way JSON pointers require', () => {
    expect(pointer('paths', '/v1/connections/{id}', 'get')).toBe('/paths/~1v1~1connections~1{id}/get');
  });
});
