// ZOOM_PKCE: S256 by default; `off` sends no code_challenge to Zoom and no code_verifier to Recall (Recall holds
// the client secret, and some Zoom apps refuse S256 challenges). And when the first exchanges after start-up are
// all refused as invalid grants, the log says which settings to check.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { baseEnv, useGateway, type TestGateway } from '../support/gateway.js';
import { callbackFor, launch } from '../support/flow.js';

const logLines = (gateway: TestGateway) => gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
const settingsWarnings = (gateway: TestGateway) => logLines(gateway).filter((line) => String(line.msg).includes('all refused as invalid grants'));

describe('ZOOM_PKCE', () => {
  it('is S256 unless set, and takes off', () => {
    expect(loadConfig(baseEnv('http://127.0.0.1:4010')).zoom.pkce).toBe('S256');
    expect(loadConfig({ ...baseEnv('http://127.0.0.1:4010'), ZOOM_PKCE: 'off' }).zoom.pkce).toBe('off');
  });

  it('refuses any other value, naming the variable and the values it takes', () => {
    expect(() => loadConfig({ ...baseEnv('http://127.0.0.1:4010'), ZOOM_PKCE: 'plain' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...baseEnv('http://127.0.0.1:4010'), ZOOM_PKCE: 'plain' })).toThrow('ZOOM_PKCE must be one of S256, off (got "plain")');
  });
});

describe('a flow with ZOOM_PKCE=off', () => {
  const gateway = useGateway({ ZOOM_PKCE: 'off' }, { recallLogs: true });

  it('sends Zoom no code_challenge and Recall no code_verifier, and connects', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const query = launched.authorizeUrl.searchParams;
    expect([...query.keys()].sort()).toEqual(['client_id', 'redirect_uri', 'response_type', 'state']);
    const response = await callbackFor(gateway, launched);
    expect(new URL(String(response.headers.location)).searchParams.get('zoom_connect')).toBe('connected');
    const [create] = gateway.recall.calls;
    expect(create!.body).toEqual({
      oauth_app: gateway.config.recall.oauthAppId,
      authorization_code: { code: 'zoom-authorization-code', redirect_uri: gateway.config.zoom.redirectUri },
    });
  });

  it('says, after three refused exchanges, to check ZOOM_REDIRECT_URI, and that PKCE is already off', async () => {
    gateway.recall.prefer('create', ...Array<string>(3).fill('code=400, example=invalid_grant'));
    for (let i = 0; i < 3; i++) await callbackFor(gateway, await launch(gateway));
    const [warning] = settingsWarnings(gateway);
    expect(warning).toMatchObject({ level: 40, invalidGrants: 3, pkce: 'off', redirectUri: gateway.config.zoom.redirectUri });
    expect(String(warning!.msg)).toContain('ZOOM_PKCE is already off');
  });
});

describe('the settings check after the first exchanges (ZOOM_PKCE=S256)', () => {
  const gateway = useGateway({}, { recallLogs: true });

  it('sends the challenge and its verifier', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    expect(launched.authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    await callbackFor(gateway, launched);
    expect(gateway.recall.calls[0]!.body).toMatchObject({ authorization_code: { code_verifier: expect.any(String) } });
  });

  it('warns once, after the first three codes are all refused, naming ZOOM_REDIRECT_URI byte for byte and then ZOOM_PKCE', async () => {
    gateway.recall.prefer('create', ...Array<string>(5).fill('code=400, example=invalid_grant'));
    for (let i = 0; i < 2; i++) await callbackFor(gateway, await launch(gateway));
    expect(settingsWarnings(gateway)).toEqual([]);
    for (let i = 0; i < 3; i++) await callbackFor(gateway, await launch(gateway));
    const warnings = settingsWarnings(gateway);
    expect(warnings).toHaveLength(1);
    const message = String(warnings[0]!.msg);
    expect(message.indexOf('ZOOM_REDIRECT_URI')).toBeGreaterThanOrEqual(0);
    expect(message.indexOf('ZOOM_REDIRECT_URI')).toBeLessThan(message.indexOf('ZOOM_PKCE=off'));
    expect(message).toContain('byte for byte');
    expect(warnings[0]).toMatchObject({ pkce: 'S256', invalidGrants: 3 });
  });

  it('stays quiet when an exchange worked before the refusals (the settings are right)', async () => {
    gateway.recall.prefer('create', 'code=201, example=created', ...Array<string>(3).fill('code=400, example=invalid_grant'));
    for (let i = 0; i < 4; i++) await callbackFor(gateway, await launch(gateway));
    expect(settingsWarnings(gateway)).toEqual([]);
  });

  it('counts a legacy conflict as a working exchange, and failures of Recall itself as nothing', async () => {
    gateway.recall.prefer('create', ...Array<string>(4).fill('code=503'), 'code=400, example=conflict_user', 'code=400, example=invalid_grant');
    gateway.recall.prefer('create', ...Array<string>(3).fill('code=400, example=invalid_grant'));
    gateway.recall.prefer('list', 'code=200, example=conflicting_user_page');
    for (let i = 0; i < 5; i++) await callbackFor(gateway, await launch(gateway));
    expect(settingsWarnings(gateway)).toEqual([]);
  });
});
