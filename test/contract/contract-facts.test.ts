// The contract's facts the code uses at run time (problem statuses and titles, the enums, the route table) are
// the spec's own: generated from gateway.yaml by `npm run gen`, and refused when the spec contradicts itself.
import { describe, expect, it } from 'vitest';
import { ConnectionStatus, ProblemCode } from '../../generated/gateway/types.gen.js';
import { operationTable, problemCatalogue } from '../../scripts/generate-contract.js';
import { problemBody } from '../../src/connect/problems.js';
import { asProblemCode } from '../../src/client/errors.js';
import { loadSpec, operations } from '../support/spec.js';

type Spec = Parameters<typeof problemCatalogue>[0];
const spec = loadSpec('gateway') as unknown as Spec;
const examples = spec.components.examples as Record<string, { value: { status: number; title: string } }>;

describe('problems answered as gateway.yaml writes them', () => {
  it.each(spec.components.schemas.ProblemCode.enum)('answers %s with the status and title of its named example', (code) => {
    const body = problemBody(code as ProblemCode, 'detail');
    expect({ status: body.status, title: body.title }).toEqual({ status: examples[code]!.value.status, title: examples[code]!.value.title });
  });

  it('knows exactly the enum of ProblemCode, in the browser client too', () => {
    expect(Object.values(ProblemCode)).toEqual(spec.components.schemas.ProblemCode.enum);
    for (const code of spec.components.schemas.ProblemCode.enum) expect(asProblemCode(code, 'internal_error')).toBe(code);
    expect(asProblemCode('made_up_code', 'internal_error')).toBe('internal_error');
  });

  it('has one ConnectionStatus, the spec enum', () => {
    const schemas = spec.components.schemas as unknown as Record<string, { enum: string[] }>;
    expect(Object.values(ConnectionStatus)).toEqual(schemas.ConnectionStatus!.enum);
  });
});

describe('generating the problem catalogue', () => {
  const withExamples = (change: (copy: Spec) => void): Spec => {
    const copy = structuredClone(spec);
    change(copy);
    return copy;
  };

  it('refuses a code without an example named after it', () => {
    const broken = withExamples((copy) => delete copy.components.examples.state_reused);
    expect(() => problemCatalogue(broken)).toThrow('ProblemCode state_reused needs a problem example named state_reused');
  });

  it('refuses two examples of one code that disagree on the status', () => {
    const broken = withExamples((copy) => ((copy.components.examples.invalid_request_query!.value as { status: number }).status = 422));
    expect(() => problemCatalogue(broken)).toThrow('example invalid_request_query answers invalid_request with 422');
  });

  it("refuses a status in ProblemCode's description table that is not its example's", () => {
    const broken = withExamples((copy) => {
      const schema = copy.components.schemas.ProblemCode;
      schema.description = schema.description!.replace('| `not_found` | 404 |', '| `not_found` | 410 |');
    });
    expect(() => problemCatalogue(broken)).toThrow("ProblemCode's description says not_found is 410, its example 404");
  });
});

describe('the route table', () => {
  it('lists every operation of gateway.yaml with its method and path', () => {
    const table = operationTable(spec);
    const fromSpec = operations(loadSpec('gateway')).map((op) => `${op.method.toUpperCase()} ${op.path} ${String(op.operation.operationId)}`);
    expect(Object.entries(table).map(([id, { method, path }]) => `${method} ${path} ${id}`)).toEqual(fromSpec);
  });
});
