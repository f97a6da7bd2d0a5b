// Reads the OpenAPI specs and lists every named example with the schema it must satisfy, so a test
// can validate each one with a JSON Schema 2020-12 validator (what OpenAPI 3.1 schemas are).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { specPaths } from '../../mocks/prism.js';

export type SpecName = keyof typeof specPaths;
type Json = Record<string, unknown>;

export const httpMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export function loadSpec(name: SpecName): Json {
  return parse(readFileSync(specPaths[name], 'utf8')) as Json;
}

export interface NamedExample {
  /** Where the example is used, as a JSON pointer into the spec (e.g. /paths/~1v1~1x/get/responses/400/content/...). */
  readonly usedAt: string;
  /** Pointer to the schema the example must satisfy. */
  readonly schemaPointer: string;
  readonly name: string;
  readonly value: unknown;
}

export interface OperationRef {
  readonly method: (typeof httpMethods)[number];
  readonly path: string;
  readonly operation: Json;
}

const escapeSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
export const pointer = (...segments: string[]) => segments.map((s) => `/${escapeSegment(s)}`).join('');

function get(doc: Json, ptr: string): unknown {
  return ptr
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

/** Follows `$ref`s inside the same document; returns the object and the pointer where it really lives. */
export function deref(doc: Json, node: unknown, at: string): { node: Json; at: string } {
  let current = node as Json;
  let where = at;
  while (current && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, found ${ref} at ${where}`);
    where = ref.slice(1);
    current = get(doc, where) as Json;
    if (current === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return { node: current, at: where };
}

export function operations(doc: Json): OperationRef[] {
  const list: OperationRef[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of httpMethods) {
      if (item[method]) list.push({ method, path, operation: item[method] as Json });
    }
  }
  return list;
}

function examplesOf(doc: Json, holder: Json, holderAt: string, schemaAt: string): NamedExample[] {
  const found: NamedExample[] = [];
  if ('example' in holder) found.push({ usedAt: holderAt, schemaPointer: schemaAt, name: '(example)', value: holder.example });
  for (const [name, raw] of Object.entries((holder.examples ?? {}) as Json)) {
    const { node } = deref(doc, raw, `${holderAt}/examples/${escapeSegment(name)}`);
    if (!('value' in node)) continue; // externalValue examples are not used in this project
    found.push({ usedAt: `${holderAt}/examples/${escapeSegment(name)}`, schemaPointer: schemaAt, name, value: node.value });
  }
  return found;
}

function mediaExamples(doc: Json, content: unknown, at: string): NamedExample[] {
  return Object.entries((content ?? {}) as Record<string, Json>).flatMap(([mediaType, media]) => {
    const mediaAt = `${at}/content/${escapeSegment(mediaType)}`;
    return examplesOf(doc, media, mediaAt, `${mediaAt}/schema`);
  });
}

/** Every example in the spec: request bodies, parameters, responses and response headers. */
export function collectExamples(doc: Json): NamedExample[] {
  const found: NamedExample[] = [];
  for (const { method, path, operation } of operations(doc)) {
    const opAt = pointer('paths', path, method);
    const pathItem = (doc.paths as Record<string, Json>)[path] as Json;
    const parameterLists: [unknown[], string][] = [
      [(pathItem.parameters ?? []) as unknown[], pointer('paths', path)],
      [(operation.parameters ?? []) as unknown[], opAt],
    ];
    for (const [list, listAt] of parameterLists) {
      list.forEach((raw, i) => {
        const { node, at } = deref(doc, raw, `${listAt}/parameters/${i}`);
        found.push(...examplesOf(doc, node, at, `${at}/schema`));
      });
    }
    if (operation.requestBody) {
      const { node, at } = deref(doc, operation.requestBody, `${opAt}/requestBody`);
      found.push(...mediaExamples(doc, node.content, at));
    }
    for (const [status, raw] of Object.entries((operation.responses ?? {}) as Json)) {
      const { node, at } = deref(doc, raw, `${opAt}/responses/${status}`);
      found.push(...mediaExamples(doc, node.content, at));
      for (const [header, rawHeader] of Object.entries((node.headers ?? {}) as Json)) {
        const h = deref(doc, rawHeader, `${at}/headers/${escapeSegment(header)}`);
        found.push(...examplesOf(doc, h.node, h.at, `${h.at}/schema`));
      }
    }
  }
  // The same component example may be referenced from several places: validate each use once.
  const seen = new Set<string>();
  return found.filter((e) => {
    const key = `${e.usedAt} ${e.schemaPointer}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A validator for schemas inside one spec document, addressed by JSON pointer. */
export function schemaValidator(doc: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'https://spec.local/openapi.json');
  return (schemaPointer: string, value: unknown): string[] => {
    const fragment = schemaPointer.split('/').map(encodeURIComponent).join('/');
    const validate =
      ajv.getSchema(`https://spec.local/openapi.json#${fragment}`) ?? ajv.compile({ $ref: `https://spec.local/openapi.json#${fragment}` });
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
  };
}
