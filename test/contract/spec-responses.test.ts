// The check every gateway test applies to the responses it receives must itself be able to fail.
import { describe, expect, it } from 'vitest';
import { specProblems } from '../support/spec-responses.js';

const json = (statusCode: number, body: unknown, contentType = 'application/json') => ({
  statusCode,
  headers: { 'content-type': contentType },
  body: JSON.stringify(body),
});

describe('the gateway.yaml response check', () => {
  it('accepts a documented status with a valid body', () => {
    expect(specProblems('GET', '/healthz', json(200, { status: 'ok' }))).toEqual([]);
  });

  it('flags a route that is not an operation', () => {
    expect(specProblems('GET', '/v1/nothing', json(200, {}))).toEqual(['GET /v1/nothing is not an operation of gateway.yaml']);
  });

  it('flags a status the operation does not document', () => {
    expect(specProblems('GET', '/healthz', json(418, {}))[0]).toContain('does not document status 418');
  });

  it('flags a body that breaks the schema', () => {
    const problems = specProblems(
      'GET',
      '/v1/connections/4514327a-fb47-471b-a0b3-4f1f2300723a',
      json(404, { code: 'nope' }, 'application/problem+json'),
    );
    expect(problems.length).toBeGreaterThan(0);
  });

  it('flags a content type the response does not declare', () => {
    expect(specProblems('GET', '/healthz', json(200, { status: 'ok' }, 'text/plain'))[0]).toContain('does not document text/plain');
  });

  it('flags a missing required header on a redirect', () => {
    expect(specProblems('POST', '/v1/connect/zoom', { statusCode: 303, headers: {}, body: '' })).toContain('missing required header Location');
  });
});
