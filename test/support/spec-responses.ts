// Checks a response the gateway sent against gateway.yaml: its status must be documented for the
// operation, its content type declared, and its body valid against the schema. A response the spec does
// not describe is a bug.
import { deref, loadSpec, operations, pointer, schemaValidator } from './spec.js';

const doc = loadSpec('gateway');
const validate = schemaValidator(doc);
const specOperations = operations(doc).map((op) => ({
  ...op,
  pattern: new RegExp(`^${op.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

export interface SentResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** The spec problems with a response to `method path` (path without query); empty when it conforms. */
export function specProblems(method: string, path: string, response: SentResponse): string[] {
  const operation = specOperations.find((op) => op.method === method.toLowerCase() && op.pattern.test(path));
  if (!operation) return [`${method} ${path} is not an operation of gateway.yaml`];
  const responses = operation.operation.responses as Record<string, unknown>;
  const status = String(response.statusCode);
  if (!responses[status]) return [`${operation.operation.operationId} does not document status ${status}`];
  const { node, at } = deref(doc, responses[status], pointer('paths', operation.path, operation.method, 'responses', status));
  const content = (node.content ?? {}) as Record<string, unknown>;
  const contentType = String(response.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const missing = Object.entries((node.headers ?? {}) as Record<string, unknown>)
    .filter(([, header]) => deref(doc, header, '').node.required === true)
    .filter(([name]) => response.headers[name.toLowerCase()] === undefined)
    .map(([name]) => `missing required header ${name}`);
  if (Object.keys(content).length === 0) {
    return [...missing, ...(response.body === '' ? [] : [`${operation.operation.operationId} ${status} documents no body, got ${contentType}`])];
  }
  if (!(contentType in content)) return [`${operation.operation.operationId} ${status} does not document ${contentType || 'no content type'}`];
  const body = contentType.includes('json') ? JSON.parse(response.body) : response.body;
  const schemaAt = `${at}/content/${contentType.replace('/', '~1')}/schema`;
  return [...missing, ...validate(schemaAt, body).map((e) => `${operation.operation.operationId} ${status}: ${e}`)];
}
