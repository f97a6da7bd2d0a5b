// The start-up check of the Zoom OAuth app tells the whole truth (Prism's examples): the client id Recall holds,
// and whether Zoom ever validated the app's event subscription at Recall (without it, connecting works but
// meetings are not synced and bots do not join). The app's secrets in Recall's answer go no further.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { checkOauthApp } from '../../src/recall/oauth-app-check.js';
import { baseEnv } from '../support/gateway.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { recallClient } from './fixtures.js';

const recall = useRecallScenario();
const config = (env: Record<string, string> = {}) => loadConfig({ ...baseEnv(recall.url), ...env });
const client = () => recallClient({ baseUrl: recall.url, fetch: recall.fetch }).api;

describe('the OAuth app check at start-up', () => {
  it('has nothing to say about an app whose client id matches and whose webhook Zoom validated (user_level)', async () => {
    recall.prefer('app', 'code=200, example=user_level');
    const { app, warnings } = await checkOauthApp(client(), config());
    expect(warnings).toEqual([]);
    expect(app).toMatchObject({ kind: 'user_level', webhook_last_validation: '2025-01-09T12:31:44.207893Z' });
  });

  it('warns that meetings are not synced and bots do not join when webhook_last_validation is empty (account_level)', async () => {
    recall.prefer('app', 'code=200, example=account_level');
    const { warnings } = await checkOauthApp(client(), config());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('webhook_last_validation is empty');
    expect(warnings[0]).toContain('meetings are not synced and bots do not join');
    expect(warnings[0]).toContain(`${recall.url}/api/v2/zoom-oauth-apps/9a03bb66-31f6-4272-8074-38c7c675ecb0/webhook`);
  });

  it('warns when ZOOM_CLIENT_ID is not the client id Recall holds', async () => {
    recall.prefer('app', 'code=200, example=user_level');
    const { warnings } = await checkOauthApp(client(), config({ ZOOM_CLIENT_ID: 'AnotherClientId' }));
    expect(warnings).toEqual(['ZOOM_CLIENT_ID (AnotherClientId) differs from the client id Recall holds for this app (slSJlqiDrYRufiuCxVlIuQ)']);
  });

  it("keeps the app's secrets from Recall's answer out of what it returns", async () => {
    recall.prefer('app', 'code=200, example=user_level');
    const { app } = await checkOauthApp(client(), config());
    expect(app).not.toHaveProperty('client_secret');
    expect(app).not.toHaveProperty('webhook_secret');
    expect(JSON.stringify(app)).not.toMatch(/zoom-(client|webhook)-secret/);
  });
});
