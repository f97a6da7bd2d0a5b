// fast-check arbitraries derived from the generated zod 4 schemas (generated/gateway/zod.gen.ts).
// zod-fast-check would be the usual tool, but its last release (0.10.1) needs zod 3 and fast-check 3, and this
// project is on zod 4 and fast-check 4; so this walks zod 4's schema definitions itself. It covers what the
// generated schemas use (object, string with length/format/regex checks, uuid, url, ISO datetime, enum,
// literal, int/number bounds, boolean, optional, nullable, default, array, record, unknown, void, union, an
// intersection of objects, and an optional never: a field that must be absent) and throws,
// naming the type, for anything else: a new construct in the spec must be added here, not silently skipped.
import fc from 'fast-check';
import type { z } from 'zod';

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

interface Def {
  type: string;
  format?: string;
  pattern?: RegExp;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  catchall?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def) => (def.checks ?? []).map((check) => check._zod.def);

/**
 * One UTF-16 code unit per character, so zod's length checks (which count code units) and fast-check's
 * length bounds agree. Mostly printable ASCII, sometimes anything: controls, lone surrogates, non-Latin text.
 */
const codeUnit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);

const isoDatetime = fc
  .date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('2199-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

// zod's url() accepts whatever the WHATWG parser accepts with a scheme and a host; webUrl is the common case.
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom('https://app.example.com/settings', 'mailto:x@y'),
);

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const checks = checksOf(def);
  const formats = [def.format, ...checks.filter((c) => c.check === 'string_format').map((c) => c.format)].filter(Boolean);
  const regex = checks.find((c) => c.check === 'string_format' && c.format === 'regex')?.pattern;
  let minLength = 0;
  let maxLimit = Infinity;
  for (const check of checks) {
    if (check.check === 'min_length') minLength = Math.max(minLength, check.minimum!);
    if (check.check === 'max_length') maxLimit = Math.min(maxLimit, check.maximum!);
    if (check.check === 'length_equals') [minLength, maxLimit] = [check.length!, check.length!];
  }
  const maxLength = Math.max(minLength, Number.isFinite(maxLimit) ? maxLimit : minLength + 64);
  const within = (arbitrary: fc.Arbitrary<string>) => arbitrary.filter((s) => s.length >= minLength && s.length <= maxLength);

  if (regex) return within(fc.stringMatching(regex));
  const format = formats.find((f) => f !== 'regex');
  switch (format) {
    case undefined:
      // Long strings are rarer but reach the limits: the boundary is where validators go wrong.
      return fc.oneof(
        { weight: 5, arbitrary: fc.string({ unit: codeUnit, minLength, maxLength: Math.min(maxLength, minLength + 24) }) },
        { weight: 1, arbitrary: fc.string({ unit: codeUnit, minLength: Math.max(minLength, maxLength - 2), maxLength }) },
      );
    case 'uuid':
      return within(fc.uuid());
    case 'url':
      return within(url);
    case 'datetime':
      return within(isoDatetime);
    default:
      throw new Error(`zod-arbitrary: string format "${format}" is not supported yet`);
  }
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = -1_000_000;
  let max = 1_000_000;
  for (const check of checksOf(def)) {
    if (check.check === 'greater_than') min = check.inclusive ? check.value! : check.value! + 1;
    if (check.check === 'less_than') max = check.inclusive ? check.value! : check.value! - 1;
  }
  const integer = def.format === 'safeint' || checksOf(def).some((c) => c.format === 'safeint');
  return integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
}

function objectArbitrary(def: Def): fc.Arbitrary<Record<string, unknown>> {
  const shape = def.shape ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const fieldDef = defOf(field);
    // never().optional(): the field must be absent.
    if (fieldDef.type === 'optional' && defOf(fieldDef.innerType!).type === 'never') continue;
    // An optional or defaulted field may be absent: leave it out of requiredKeys rather than send undefined.
    if (fieldDef.type === 'optional' || fieldDef.type === 'default') {
      model[key] = arbitraryOf(fieldDef.innerType!);
    } else {
      model[key] = arbitraryOf(field);
      requiredKeys.push(key);
    }
  }
  return fc.record(model, { requiredKeys });
}

/**
 * `a.and(b)` of two objects (hey-api's discriminated unions: `{type: literal}.and(event)`): one value of each,
 * merged. A merge can break a rule of either side (two different literals for one field), so merged values are
 * kept only when the intersection accepts them; the generated intersections always agree.
 */
function intersectionArbitrary(schema: z.ZodType, def: Def): fc.Arbitrary<unknown> {
  if (defOf(def.left!).type !== 'object' || defOf(def.right!).type !== 'object')
    throw new Error('zod-arbitrary: only intersections of objects are supported');
  return fc
    .tuple(arbitraryOf(def.left!) as fc.Arbitrary<object>, arbitraryOf(def.right!) as fc.Arbitrary<object>)
    .map(([left, right]) => ({ ...right, ...left }))
    .filter((value) => schema.safeParse(value).success);
}

/** An arbitrary whose every value the schema accepts (test/fuzz/zod-arbitrary.test.ts proves it per schema). */
export function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return objectArbitrary(def);
    case 'string':
      return stringArbitrary(def);
    case 'number':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries!));
    case 'literal':
      return fc.constantFrom(...def.values!);
    case 'optional':
      return fc.option(arbitraryOf(def.innerType!), { nil: undefined });
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType!), { nil: null });
    case 'default':
      return arbitraryOf(def.innerType!);
    case 'array': {
      const checks = checksOf(def);
      const minLength = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      const maxLength = checks.find((c) => c.check === 'max_length')?.maximum ?? Math.max(minLength, 4);
      return fc.array(arbitraryOf(def.element!), { minLength, maxLength });
    }
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    case 'void':
    case 'undefined':
      return fc.constant(undefined);
    case 'union':
      return fc.oneof(...def.options!.map((option) => arbitraryOf(option)));
    case 'intersection':
      return intersectionArbitrary(schema, def);
    default:
      throw new Error(`zod-arbitrary: zod type "${def.type}" is not supported yet`);
  }
}

/** Query parameters as a browser or client would send them: the schema's values, written as text. */
export function queryArbitraryOf(schema: z.ZodType): fc.Arbitrary<Record<string, string>> {
  return (arbitraryOf(schema) as fc.Arbitrary<Record<string, unknown>>).map((values) =>
    Object.fromEntries(
      Object.entries(values)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, String(value)]),
    ),
  );
}
