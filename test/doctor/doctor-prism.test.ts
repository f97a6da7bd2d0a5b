// `npm run doctor` against the Prism mock of Recall: every check passes on a good set-up, and each of Recall's
// answers about the app (another kind, a webhook never validated, 401, 404) becomes the check it should, with
// its fix. The doctor only reads: one GET of the app, and the database left exactly as it was.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/doctor.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { fingerprint, goodEnv, migratedSqlite, useDataDir } from './support.js';

const recall = useRecallScenario();
const dataDir = useDataDir();
const statuses = (checks: { name: string; status: string }[]) => checks.map((check) => `${check.status} ${check.name}`);

describe('npm run doctor on Prism', () => {
  it('passes every check of a good set-up, exit code 0, reading only the app and changing nothing', async () => {
    const database = await migratedSqlite(dataDir());
    const before = fingerprint(database);
    recall.prefer('app', 'code=200, example=user_level');
    const report = await runDoctor({ env: goodEnv(recall.url, database), fetch: recall.fetch });
    expect(statuses(report.checks)).toEqual([
      'ok Configuration',
      'ok Recall API key and region',
      'ok Zoom OAuth app',
      'ok Zoom client id',
      "ok Zoom app's event subscription at Recall",
      'ok PUBLIC_URL',
      'ok ZOOM_REDIRECT_URI',
      'ok ZOOM_PKCE',
      'ok Database',
    ]);
    expect(report.exitCode).toBe(0);
    expect(report.text).toContain('9a03bb66-31f6-4272-8074-38c7c675ecb0 is a user_level app');
    expect(report.text).toContain('Ready: nothing failed.');
    expect(recall.calls.map((call) => `${call.method} ${call.operation}`)).toEqual(['GET app']);
    expect(fingerprint(database)).toBe(before);
  });

  it('fails on an app whose event subscription Zoom never validated, with the endpoint to validate (account_level)', async () => {
    recall.prefer('app', 'code=200, example=account_level');
    const report = await runDoctor({ env: goodEnv(recall.url, await migratedSqlite(dataDir())), fetch: recall.fetch });
    const webhook = report.checks.find((check) => check.name === "Zoom app's event subscription at Recall");
    expect(webhook).toMatchObject({ status: 'fail', detail: expect.stringContaining('bots do not join') });
    expect(webhook!.fix).toContain(`${recall.url}/api/v2/zoom-oauth-apps/9a03bb66-31f6-4272-8074-38c7c675ecb0/webhook`);
    expect(report.text).toContain('account_level app');
    expect(report.exitCode).toBe(1);
  });

  it('fails the key on a 401, saying a key works only in its own region', async () => {
    recall.prefer('app', 'code=401, example=unauthorized', 'code=401, example=unauthorized');
    const report = await runDoctor({ env: goodEnv(recall.url, await migratedSqlite(dataDir())), fetch: recall.fetch });
    expect(report.checks[1]).toMatchObject({ name: 'Recall API key and region', status: 'fail', fix: expect.stringContaining('RECALL_REGION') });
    expect(statuses(report.checks).slice(2, 5)).toEqual([
      'skip Zoom OAuth app',
      'skip Zoom client id',
      "skip Zoom app's event subscription at Recall",
    ]);
    expect(report.text).not.toContain('test-recall-api-key-secret');
    expect(report.exitCode).toBe(1);
  });

  it('fails the app id on a 404, the key being good', async () => {
    recall.prefer('app', 'code=404, example=not_found');
    const report = await runDoctor({ env: goodEnv(recall.url, await migratedSqlite(dataDir())), fetch: recall.fetch });
    expect(statuses(report.checks).slice(1, 3)).toEqual(['ok Recall API key and region', 'fail Zoom OAuth app']);
    expect(report.checks[2]!.fix).toContain('RECALL_ZOOM_OAUTH_APP_ID');
    expect(report.exitCode).toBe(1);
  });
});
