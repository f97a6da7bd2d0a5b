// `npm run doctor` against a fake Recall in each region and real databases, one fault at a time: each fault
// fails (or warns) its own check with a fix that names what to change, and the exit code says whether anything
// failed. Nothing is written: the databases are only read.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RecallRegion } from '../../src/config.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { migrationNames } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/index.js';
import { FakeRecall, FakeZoom } from '../faults/fake-recall.js';
import { freePort } from '../support/free-port.js';
import { oauthAppId, testRecallKey, zoomClientId } from '../support/gateway.js';
import { freshDatabase } from '../support/postgres.js';
import { fingerprint, goodEnv, migratedSqlite, useDataDir } from './support.js';

const dataDir = useDataDir();
const regionNames: RecallRegion[] = ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'];
const regionUrl = (region: RecallRegion) => `https://${region}.recall.fake`;

/** A Recall per region; RECALL_API_KEY is known in `keyRegion` only (or nowhere). */
function recallRegions(options: { keyRegion?: RecallRegion; webhookValidated?: boolean; clientId?: string } = {}) {
  const fakes = new Map(
    regionNames.map((region) => [
      regionUrl(region),
      new FakeRecall({
        apiKey: region === options.keyRegion ? testRecallKey : `a-key-of-another-workspace-${region}`,
        oauthAppId,
        zoomClientId: options.clientId ?? zoomClientId,
        zoom: new FakeZoom(),
        kind: 'account_level',
        reauthorization: 'update',
        baseUrl: regionUrl(region),
        webhookValidated: options.webhookValidated,
      }),
    ]),
  );
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const fake = fakes.get(new URL(request.url).origin);
    if (!fake) throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
    return fake.fetch(request);
  }) as typeof globalThis.fetch;
  const regions = Object.fromEntries(regionNames.map((region) => [region, regionUrl(region)]));
  return { fetch, regions, fakes };
}

/** A good production environment, Recall chosen by RECALL_REGION (no RECALL_BASE_URL). */
async function env(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const { RECALL_BASE_URL: _baseUrl, ...production } = goodEnv('unused', await migratedSqlite(dataDir()));
  return { ...production, RECALL_REGION: 'us-west-2', ...overrides };
}

const check = (report: { checks: { name: string }[] }, name: string) => report.checks.find((c) => c.name === name);

describe('npm run doctor, one fault at a time', () => {
  it('passes a good set-up with a key of its region', async () => {
    const recall = recallRegions({ keyRegion: 'us-west-2' });
    const report = await runDoctor({ env: await env(), ...recall });
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report.exitCode).toBe(0);
    // Only the configured region was asked.
    expect(recall.fakes.get(regionUrl('us-west-2'))!.calls.map((call) => call.operation)).toEqual(['app']);
    expect(recall.fakes.get(regionUrl('us-east-1'))!.calls).toEqual([]);
  });

  it('says which region a rejected key belongs to', async () => {
    const recall = recallRegions({ keyRegion: 'eu-central-1' });
    const report = await runDoctor({ env: await env({ RECALL_REGION: 'us-east-1' }), ...recall });
    expect(check(report, 'Recall API key and region')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('answered 401'),
      fix: 'the key belongs to eu-central-1: set RECALL_REGION=eu-central-1',
    });
    expect(report.exitCode).toBe(1);
  });

  it('says when no region knows the key', async () => {
    const report = await runDoctor({ env: await env(), ...recallRegions() });
    expect(check(report, 'Recall API key and region')).toMatchObject({ status: 'fail', fix: expect.stringContaining('no region') });
  });

  it('fails the app id Recall does not know', async () => {
    const report = await runDoctor({
      env: await env({ RECALL_ZOOM_OAUTH_APP_ID: '0b3f2a1c-9d8e-4f7a-8b6c-5d4e3f2a1b0c' }),
      ...recallRegions({ keyRegion: 'us-west-2' }),
    });
    expect(check(report, 'Zoom OAuth app')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('0b3f2a1c-9d8e-4f7a-8b6c-5d4e3f2a1b0c'),
    });
  });

  it('fails a ZOOM_CLIENT_ID that is not the one Recall holds, naming the right one', async () => {
    const report = await runDoctor({ env: await env(), ...recallRegions({ keyRegion: 'us-west-2', clientId: 'TheRealClientId' }) });
    expect(check(report, 'Zoom client id')).toMatchObject({ status: 'fail', fix: expect.stringContaining('ZOOM_CLIENT_ID=TheRealClientId') });
  });

  it('fails an app whose event subscription Zoom never validated', async () => {
    const report = await runDoctor({ env: await env(), ...recallRegions({ keyRegion: 'us-west-2', webhookValidated: false }) });
    expect(check(report, "Zoom app's event subscription at Recall")).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining(`${regionUrl('us-west-2')}/api/v2/zoom-oauth-apps/${oauthAppId}/webhook`),
    });
    expect(report.exitCode).toBe(1);
  });

  it('fails when Recall cannot be reached', async () => {
    const unreachable = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    const report = await runDoctor({ env: await env(), fetch: unreachable, regions: recallRegions().regions });
    expect(check(report, 'Recall API key and region')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECONNREFUSED') });
  });

  it.each([
    [
      'not https',
      { PUBLIC_URL: 'http://gateway.example.com', ZOOM_REDIRECT_URI: 'http://gateway.example.com/v1/connect/zoom/callback' },
      'is not https',
    ],
    ['on localhost', { PUBLIC_URL: 'https://localhost:3000', ZOOM_REDIRECT_URI: 'https://localhost:3000/v1/connect/zoom/callback' }, 'on localhost'],
    [
      'on another origin than PUBLIC_URL',
      { ZOOM_REDIRECT_URI: 'https://connect.example.com/v1/connect/zoom/callback' },
      "not on PUBLIC_URL's origin",
    ],
  ])('fails a ZOOM_REDIRECT_URI %s', async (_, overrides, said) => {
    const report = await runDoctor({ env: await env(overrides), ...recallRegions({ keyRegion: 'us-west-2' }) });
    const redirect = report.checks.filter((c) => c.name === 'ZOOM_REDIRECT_URI');
    expect(redirect).toEqual([expect.objectContaining({ status: 'fail', detail: expect.stringContaining(said), fix: expect.any(String) })]);
    expect(report.exitCode).toBe(1);
  });

  it('reports ZOOM_PKCE=off as what it does', async () => {
    const report = await runDoctor({ env: await env({ ZOOM_PKCE: 'off' }), ...recallRegions({ keyRegion: 'us-west-2' }) });
    expect(check(report, 'ZOOM_PKCE')).toMatchObject({ status: 'ok', detail: expect.stringContaining('no code_verifier to Recall') });
  });

  it('refuses a PUBLIC_URL with a path as the gateway does: the configuration fails, naming it', async () => {
    const report = await runDoctor({
      env: await env({ PUBLIC_URL: 'https://gateway.example.com/zoom' }),
      ...recallRegions({ keyRegion: 'us-west-2' }),
    });
    expect(report.exitCode).toBe(1);
    expect(report.checks).toEqual([
      expect.objectContaining({ name: 'Configuration', status: 'fail', detail: expect.stringContaining('PUBLIC_URL must be an origin') }),
    ]);
  });

  it.each([
    ['on localhost', 'http://127.0.0.1:3000', 'is on 127.0.0.1'],
    ['over plain http', 'http://gateway.example.com', 'is not https'],
  ])('fails a PUBLIC_URL %s, with its fix', async (_what, publicUrl, detail) => {
    const report = await runDoctor({ env: await env({ PUBLIC_URL: publicUrl }), ...recallRegions({ keyRegion: 'us-west-2' }) });
    expect(check(report, 'PUBLIC_URL')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(detail),
      fix: expect.stringContaining('https'),
    });
    expect(report.exitCode).toBe(1);
  });

  it('names a malformed WEBHOOK_URL without printing it (it may carry a token)', async () => {
    const report = await runDoctor({
      env: await env({ WEBHOOK_URL: 'hooks.example.com/zoom?token=SECRET-hook-token', WEBHOOK_SECRET: 'whsec_c2VjcmV0' }),
      ...recallRegions({ keyRegion: 'us-west-2' }),
    });
    expect(check(report, 'Configuration')).toMatchObject({ status: 'fail', detail: expect.stringContaining('WEBHOOK_URL') });
    expect(report.text).not.toContain('SECRET-hook-token');
  });

  it('fails a configuration the gateway would refuse, naming the variable, and demo mode', async () => {
    const bad = await runDoctor({ env: await env({ ZOOM_PKCE: 'plain' }), ...recallRegions() });
    expect(bad.checks).toEqual([expect.objectContaining({ name: 'Configuration', status: 'fail', detail: expect.stringContaining('ZOOM_PKCE') })]);
    const demo = await runDoctor({ env: { PATH: '/usr/bin' }, ...recallRegions() });
    expect(demo).toMatchObject({ exitCode: 1, checks: [{ name: 'Configuration', status: 'fail' }] });
  });
});

describe('the database check', () => {
  const recall = recallRegions({ keyRegion: 'us-west-2' });

  it('warns, listing them, about migrations the database lacks, and applies none', async () => {
    const file = await migratedSqlite(dataDir());
    const last = migrationNames[migrationNames.length - 1]!;
    const sqlite = new BetterSqlite3(file);
    sqlite.prepare('delete from kysely_migration where name = ?').run(last);
    sqlite.close();
    const before = fingerprint(file);
    const report = await runDoctor({ env: await env({ DATABASE_URL: `sqlite:${file}` }), ...recall });
    expect(check(report, 'Database')).toMatchObject({ status: 'warn', detail: expect.stringContaining(`1 migration(s) pending: ${last}`) });
    expect(report.exitCode).toBe(0);
    expect(fingerprint(file)).toBe(before);
  });

  it('fails a database a newer gateway migrated', async () => {
    const file = await migratedSqlite(dataDir());
    const sqlite = new BetterSqlite3(file);
    sqlite.prepare("insert into kysely_migration (name, timestamp) values ('2099_01_01_999_future', '2099-01-01')").run();
    sqlite.close();
    const report = await runDoctor({ env: await env({ DATABASE_URL: `sqlite:${file}` }), ...recall });
    expect(check(report, 'Database')).toMatchObject({ status: 'fail', detail: expect.stringContaining('2099_01_01_999_future') });
  });

  it('warns that a SQLite file does not exist yet, and does not create it', async () => {
    const file = `${dataDir()}/not-yet/gateway.db`;
    const report = await runDoctor({ env: await env({ DATABASE_URL: `sqlite:${file}` }), ...recall });
    expect(check(report, 'Database')).toMatchObject({ status: 'warn', detail: expect.stringContaining('does not exist yet') });
    await expect(import('node:fs/promises').then((fs) => fs.stat(file))).rejects.toThrow();
  });

  it('fails a PostgreSQL server that cannot be reached, never printing the password', async () => {
    const port = await freePort();
    const report = await runDoctor({ env: await env({ DATABASE_URL: `postgres://gateway:s3cret-pw@127.0.0.1:${port}/gateway` }), ...recall });
    expect(check(report, 'Database')).toMatchObject({ status: 'fail', detail: expect.stringContaining('nothing accepts connections') });
    expect(report.text).not.toContain('s3cret-pw');
  });

  it('passes a migrated PostgreSQL database, and lists every migration of an empty one as pending', async () => {
    const database = await freshDatabase();
    try {
      const empty = await runDoctor({ env: await env({ DATABASE_URL: database.url }), ...recall });
      expect(check(empty, 'Database')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining(`${migrationNames.length} migration(s) pending`),
      });
      await (await openStore(database.url)).close();
      const migrated = await runDoctor({ env: await env({ DATABASE_URL: database.url }), ...recall });
      expect(check(migrated, 'Database')).toMatchObject({ status: 'ok', detail: expect.stringContaining('reachable and migrated') });
      expect(migrated.text).not.toContain(new URL(database.url).password);
    } finally {
      await database.drop();
    }
  });
});
