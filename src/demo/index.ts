// Demo mode (config.ts isDemo: no production variable set): Recall is an in-process Prism mock of
// openapi/recall.yaml, Zoom the stand-in consent page, and a demo page at / connects a demo user. server.ts
// imports this module only in demo mode: Prism is a dev dependency, and takes most of a second to load, which a
// real start need not pay.
import type { PrismMock } from '../../mocks/prism.js';
import { startPrism, specPaths } from '../../mocks/prism.js';
import type { DemoParts } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { randomSecret } from '../connect/secrets.js';
import { withFreshCredentialIds } from './fresh-credential-ids.js';
import { demoRoutes } from './routes.js';

export interface DemoMode {
  /** The configuration, with Recall at the mock and a demo API key. */
  config: Config;
  /** The API key made up for this run (demo mode has no GATEWAY_API_KEYS). */
  apiKey: string;
  /** Its routes and its Recall wrapper, for buildApp. */
  parts: DemoParts;
  banner(): string;
  /** Stops the Recall mock. */
  close(): Promise<void>;
}

export async function startDemo(env: Record<string, string | undefined>): Promise<DemoMode> {
  const recallMock: PrismMock = await startPrism(specPaths.recall);
  try {
    const config = loadConfig({ ...env, RECALL_BASE_URL: recallMock.url });
    const apiKey = `demo_${randomSecret(24)}`;
    config.apiKeys = [apiKey];
    return {
      config,
      apiKey,
      parts: { routes: demoRoutes, recall: withFreshCredentialIds },
      banner: () => banner(config, apiKey),
      close: () => recallMock.close(),
    };
  } catch (error) {
    await recallMock.close();
    throw error;
  }
}

function banner(config: Config, key: string): string {
  return [
    'Zoom Connect Gateway: DEMO MODE (none of RECALL_API_KEY, RECALL_ZOOM_OAUTH_APP_ID, ZOOM_CLIENT_ID, ZOOM_REDIRECT_URI, GATEWAY_API_KEYS set): Recall is a local Prism mock, Zoom a stand-in page.',
    `  demo page:   ${config.publicUrl}/`,
    `  API docs:    ${config.publicUrl}/docs`,
    `  demo API key (this run only): ${key}`,
    `  try: curl -s -X POST ${config.publicUrl}/v1/connect-sessions -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '{"end_user_id":"user_42"}'`,
  ].join('\n');
}

export { demoClientPath, demoEndUserId } from './routes.js';
