// `npm run doctor` as an operator runs it: a process with the production environment, against Recall over HTTP
// (the stateful fake, listening on 127.0.0.1). It prints the checklist and exits 0 when nothing failed, 1 when
// something did.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRecall, FakeZoom } from '../faults/fake-recall.js';
import { oauthAppId, testRecallKey, zoomClientId } from '../support/gateway.js';
import { goodEnv, migratedSqlite, useDataDir } from './support.js';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = useDataDir();

function doctor(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/doctor/cli.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('npm run doctor, the process', { timeout: 60_000 }, () => {
  let recall: { url: string; close(): Promise<void> };
  let unvalidated: { url: string; close(): Promise<void> };
  const fake = (webhookValidated: boolean) =>
    new FakeRecall({
      apiKey: testRecallKey,
      oauthAppId,
      zoomClientId,
      zoom: new FakeZoom(),
      kind: 'user_level',
      reauthorization: 'update',
      webhookValidated,
    });

  beforeAll(async () => {
    recall = await fake(true).listen();
    unvalidated = await fake(false).listen();
  });
  afterAll(async () => {
    await recall?.close();
    await unvalidated?.close();
  });

  it('prints every check passed and exits 0 on a good set-up', async () => {
    const { code, output } = await doctor(goodEnv(recall.url, await migratedSqlite(dataDir())));
    expect(output).toContain('[ok]   Recall API key and region');
    expect(output).toContain('Ready: nothing failed.');
    expect(output).not.toContain(testRecallKey);
    expect(code).toBe(0);
  });

  it('prints the failure with its fix and exits 1', async () => {
    const { code, output } = await doctor(goodEnv(unvalidated.url, await migratedSqlite(dataDir())));
    expect(output).toContain("[FAIL] Zoom app's event subscription at Recall");
    expect(output).toMatch(/fix: in the Zoom app, set the event notification endpoint URL to .*\/webhook and press Validate/);
    expect(output).toContain('1 check failed.');
    expect(code).toBe(1);
  });
});
