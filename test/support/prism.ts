// vitest helpers around the in-process Prism mock: one mock per test file on a free port,
// and an assertion that fails a test on any `sl-violations` header (Prism's word that a
// request or a response broke the spec, which it otherwise reports only in that header).
import { afterAll, beforeAll } from 'vitest';
import { startPrism, specPaths, type PrismMock } from '../../mocks/prism.js';

export function usePrism(spec: keyof typeof specPaths): { readonly url: string } {
  let mock: PrismMock | undefined;
  beforeAll(async () => {
    mock = await startPrism(specPaths[spec]);
  }, 30_000);
  afterAll(async () => {
    await mock?.close();
  });
  return {
    get url() {
      if (!mock) throw new Error('Prism is not started: call usePrism at the top of a describe block');
      return mock.url;
    },
  };
}

export function assertNoViolations(response: Response): void {
  const violations = response.headers.get('sl-violations');
  if (violations) {
    throw new Error(`Prism reported spec violations for ${response.url}: ${violations}`);
  }
}
