// The store's hottest queries (a launch, a callback's flow, a connection read), built with Kysely once and compiled
// once per dialect, then bound to new values on every call. Kysely otherwise builds a tree of frozen nodes and
// compiles it to SQL on every call: in a CPU profile of the launch under load that was more than half of Kysely's
// time (the rest is its asynchronous executor, which statements.ts lets SQLite skip).
//
// A query is built with placeholders in place of its values; compiling it gives the SQL and a parameter list in
// which each placeholder marks where a value goes. Binding replaces the placeholders by the call's values.

import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

const placeholderPrefix = '\u0000prepared-query-value:';

/** What the query is built with: a placeholder for each value of `P`. */
export type Placeholders<P> = { readonly [K in keyof P]: P[K] };

type Slot = { name: string } | { value: unknown };

export interface PreparedQuery<P, R> {
  /** The query in `db`'s dialect with `values` bound: compiled on first use for that dialect, bound on every use. */
  bind(db: Kysely<Database>, values: P): CompiledQuery<R>;
}

export function prepareQuery<P extends object, R>(build: (db: Kysely<Database>, values: Placeholders<P>) => Compilable<R>): PreparedQuery<P, R> {
  const placeholders = new Proxy({}, { get: (_target, name) => `${placeholderPrefix}${String(name)}` }) as Placeholders<P>;
  // Per dialect: a transaction's Kysely shares its database's adapter.
  const compiled = new WeakMap<object, { query: CompiledQuery<R>; slots: Slot[] }>();
  const compile = (db: Kysely<Database>) => {
    const query = build(db, placeholders).compile();
    const slots = query.parameters.map((parameter): Slot => {
      if (typeof parameter === 'string' && parameter.startsWith(placeholderPrefix)) return { name: parameter.slice(placeholderPrefix.length) };
      return { value: parameter };
    });
    return { query, slots };
  };
  return {
    bind(db, values) {
      const adapter = db.getExecutor().adapter;
      let entry = compiled.get(adapter);
      if (entry === undefined) {
        entry = compile(db);
        compiled.set(adapter, entry);
      }
      const named = values as Record<string, unknown>;
      const parameters = entry.slots.map((slot) => ('name' in slot ? named[slot.name] : slot.value));
      return { ...entry.query, parameters };
    },
  };
}
