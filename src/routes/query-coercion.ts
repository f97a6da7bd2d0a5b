// Query strings arrive as text, and the generated zod schemas expect the spec's types (limit: integer,
// validate: boolean). Convert exactly the listed fields, then validate with the generated schema itself,
// so the contract stays the single source of the rules.
import { z } from 'zod';

const toInteger = (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
const toBoolean = (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value);

export function coerceQuery<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  fields: Partial<Record<keyof Shape & string, 'integer' | 'boolean'>>,
): z.ZodObject<z.ZodRawShape> {
  const converted = Object.fromEntries(
    Object.entries(fields).map(([name, kind]) => [name, z.preprocess(kind === 'integer' ? toInteger : toBoolean, schema.shape[name] as z.ZodType)]),
  );
  return schema.extend(converted);
}
