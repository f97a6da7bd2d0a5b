// Runs Prism in-process on one of the specs: the tests' mock of Recall (and of the gateway itself),
// and later the demo mode's Recall. About a second to load a spec the first time, milliseconds after.
import { createLogger } from '@stoplight/prism-core';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { createServer } from '@stoplight/prism-http-server';
import path from 'node:path';
import { packageRoot } from '../src/package-root.js';

export const specPaths = {
  recall: path.join(packageRoot, 'openapi/recall.yaml'),
  gateway: path.join(packageRoot, 'openapi/gateway.yaml'),
} as const;

export interface PrismMock {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
}

export interface PrismMockOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Log level of Prism's own logger; silent unless asked. */
  logLevel?: 'silent' | 'info' | 'warn' | 'error';
}

export async function startPrism(specPath: string, options: PrismMockOptions = {}): Promise<PrismMock> {
  const operations = await getHttpOperationsFromSpec(specPath);
  const logger = createLogger('PRISM', { level: options.logLevel ?? 'silent' });
  const server = createServer(operations, {
    cors: false,
    components: { logger },
    config: {
      mock: { dynamic: false },
      checkSecurity: true,
      validateRequest: true,
      validateResponse: true,
      // An example that breaks its own schema becomes a 500 instead of a silent sl-violations header.
      errors: true,
      isProxy: false,
      upstreamProxy: undefined,
    },
  });
  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return { url: address.replace(/\/$/, ''), close: () => server.close() };
}
