// What start-up says, in the order an operator needs it: the configuration's warnings before the gateway
// reaches out to Recall, so a start that fails there (a wrong key, Recall down) has still said what looked wrong.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { RecallError, type RecallApi } from '../src/recall/recall-api.js';
import { baseEnv, captureLogs } from './support/gateway.js';

describe('start-up', () => {
  it('logs the configuration warnings before reading the Zoom OAuth app from Recall, even when that read fails', async () => {
    const config = loadConfig({
      ...baseEnv('http://127.0.0.1:9'),
      DATABASE_URL: 'sqlite::memory:',
      // On another origin than PUBLIC_URL: a warning (the binding cookie would never come back).
      ZOOM_REDIRECT_URI: 'https://elsewhere.example.com/v1/connect/zoom/callback',
    });
    expect(config.warnings).toHaveLength(1);
    const { logs, stream } = captureLogs();
    const asked: string[] = [];
    const recall = {
      retrieveOauthApp: async () => {
        asked.push(`warnings logged before: ${logs.filter((line) => line.includes('state_cookie_missing')).length}`);
        throw new RecallError('recall_unavailable', 'connect ECONNREFUSED 127.0.0.1:9');
      },
    } as unknown as RecallApi;

    await expect(buildApp({ deps: { config, recall }, logStream: stream })).rejects.toThrow(/could not be reached or is unavailable/);
    expect(asked).toEqual(['warnings logged before: 1']);
    expect(JSON.parse(logs.find((line) => line.includes('state_cookie_missing'))!)).toMatchObject({ level: 40 });
  });
});
