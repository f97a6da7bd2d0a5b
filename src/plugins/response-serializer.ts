// Answers serialized from gateway.yaml's generated zod response schemas without a zod parse of every reply:
// each route's response schema is converted to JSON Schema once, when the route is registered (zod 4's
// z.toJSONSchema), and compiled by fast-json-stringify, Fastify's own serializer. The tests still check every
// answer against gateway.yaml (test/support/spec-responses.ts).
//
// Measured: in a CPU profile of GET /v1/connections/{id} under load, zod and fastify-type-provider-zod took
// about 7% of the process's time, most of it the response parse; fast-json-stringify's output is the same bytes.
import fastJson from 'fast-json-stringify';
import { z } from 'zod';

type JsonSchema = { [keyword: string]: unknown };

/** What serializing needs of a schema: types, properties and required; the rest only validates. */
const validationOnly = new Set(['$schema', 'pattern', 'format', 'minLength', 'maxLength', 'enum', 'minimum', 'maximum', 'minItems', 'maxItems']);

const isNull = (schema: JsonSchema) => schema.type === 'null';

/**
 * The schema as fast-json-stringify serializes it fastest: `anyOf: [<a primitive type>, null]` (zod's nullable)
 * becomes `type: [<that type>, 'null']`, which fast-json-stringify writes directly; an anyOf it keeps would run a
 * validator on every value to pick its branch.
 */
function forSerialization(schema: JsonSchema): JsonSchema {
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  if (anyOf?.length === 2 && anyOf.some(isNull)) {
    const other = anyOf.find((branch) => !isNull(branch))!;
    if (typeof other.type === 'string' && other.type !== 'object' && other.type !== 'array') {
      return { type: [other.type, 'null'] };
    }
  }
  const result: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (validationOnly.has(keyword)) continue;
    if (keyword === 'properties') {
      result.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, property]) => [name, forSerialization(property)]),
      );
    } else if (keyword === 'items' || keyword === 'additionalProperties') {
      result[keyword] = typeof value === 'object' && value !== null ? forSerialization(value as JsonSchema) : value;
    } else if (keyword === 'anyOf' || keyword === 'oneOf' || keyword === 'allOf') {
      result[keyword] = (value as JsonSchema[]).map(forSerialization);
    } else {
      result[keyword] = value;
    }
  }
  return result;
}

/** The JSON Schema fast-json-stringify is given for a generated zod response schema. */
export function serializationSchema(schema: z.ZodType): JsonSchema {
  return forSerialization(z.toJSONSchema(schema, { io: 'output', target: 'draft-7' }) as JsonSchema);
}

/** Fastify's serializer compiler (setSerializerCompiler): one fast-json-stringify function per route and status. */
export function serializerCompiler({ schema }: { schema: unknown }): (data: unknown) => string {
  return fastJson(serializationSchema(schema as z.ZodType) as unknown as Parameters<typeof fastJson>[0]);
}
