// Recall's answer for the Zoom OAuth app carries the app's secrets (client_secret, webhook_secret). The real
// process (src/server.ts), at LOG_LEVEL=trace against a fake Recall that sends them, never writes them to its
// output or its database; and it warns that Zoom never validated the app's event subscription.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRecall, FakeZoom, fakeAppSecrets } from '../faults/fake-recall.js';
import { freePort } from '../support/free-port.js';
import { oauthAppId, testApiKey, testRecallKey, zoomClientId } from '../support/gateway.js';

const root = path.resolve(import.meta.dirname, '../..');

describe("the Zoom OAuth app's secrets, in the real process", { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-app-secrets-'));
  let output = '';
  let exitCode: number | null = null;
  let recallServer: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    const recall = new FakeRecall({
      apiKey: testRecallKey,
      oauthAppId,
      zoomClientId,
      zoom: new FakeZoom(),
      kind: 'user_level',
      reauthorization: 'update',
      webhookValidated: false,
    });
    recallServer = await recall.listen();
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'gateway.db')}`,
      GATEWAY_API_KEYS: testApiKey,
      RECALL_API_KEY: testRecallKey,
      RECALL_BASE_URL: recallServer.url,
      RECALL_ZOOM_OAUTH_APP_ID: oauthAppId,
      ZOOM_CLIENT_ID: zoomClientId,
      ZOOM_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/zoom/callback`,
      HEALTH_SYNC_INTERVAL_S: '0',
      LOG_LEVEL: 'trace',
    };
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((exitCode = code), resolve())));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Zoom Connect Gateway on') && exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exited;
  });

  afterAll(async () => {
    await recallServer?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('started, read the app, and stopped cleanly', () => {
    expect(output).toContain('Zoom OAuth app read from Recall');
    expect(exitCode).toBe(0);
  });

  it('warns that the webhook was never validated: meetings are not synced and bots do not join', () => {
    const warning = output.split('\n').find((line) => line.includes('webhook_last_validation is empty'));
    expect(warning).toContain('"level":40');
    expect(warning).toContain('bots do not join');
  });

  it('never writes client_secret or webhook_secret to its output', () => {
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(fakeAppSecrets.clientSecret);
    expect(output).not.toContain(fakeAppSecrets.webhookSecret);
  });

  it('never stores them in its database', () => {
    const files = readdirSync(dataDir).filter((name) => name.startsWith('gateway.db'));
    expect(files).toContain('gateway.db');
    for (const file of files) {
      const bytes = readFileSync(path.join(dataDir, file)).toString('latin1');
      expect(bytes).not.toContain(fakeAppSecrets.clientSecret);
      expect(bytes).not.toContain(fakeAppSecrets.webhookSecret);
    }
  });
});
