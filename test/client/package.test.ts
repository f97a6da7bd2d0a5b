// The client package as a frontend team gets it: built, packed with npm, installed from the tarball into a
// fresh app without a registry, every example of its README (docs/frontend.md) type-checked there under each
// module resolution the README promises, and the backend example run against a real gateway process.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.js';
import { useDemoProcess } from '../browser/demo-process.js';
import { createFixtureApp, extractExamples, pack, readJson, typeCheck, type Example, type Resolution } from './package-fixture.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const backendExample = 'server/zoom-connect.ts';

// Calls the backend example's functions as the app's routes would, and the browser entry's getMyConnection
// with the token it got (a fetch, so it runs in Node too), and prints what came back.
const backendRunner = `
import { connectSessionFor, connectionOf } from './out/server/zoom-connect.js';
import { getMyConnection } from '@zoom-connect-gateway/client';
import { client as sdkClient } from '@zoom-connect-gateway/client/sdk';
import { client as reactQueryClient } from '@zoom-connect-gateway/client/react-query';
const outcome = {};
try {
  outcome.session = await connectSessionFor('package-fixture-user', 'redirect');
  outcome.connection = await connectionOf('package-fixture-user');
  outcome.me = await getMyConnection({ baseUrl: process.env.GATEWAY_URL, token: outcome.session.token }).catch((error) => ({ code: error.code }));
} catch (problem) {
  outcome.thrown = problem;
}
outcome.oneDefaultClient = sdkClient === reactQueryClient;
console.log(JSON.stringify(outcome));
`;

interface Outcome {
  session?: { connect_url: string; token: string };
  connection?: unknown;
  me?: unknown;
  thrown?: { code?: string; status?: number };
  oneDefaultClient: boolean;
}

describe('the client package, packed and installed into a fresh app', () => {
  // The backend example's return_to is on https://app.example.com.
  const gateway = useDemoProcess({ ALLOWED_RETURN_ORIGINS: 'https://app.example.com' });
  let work: string;
  let appDir: string;
  let packedFiles: string[];
  let examples: Example[];
  const checked = new Map<Resolution, { ok: boolean; output: string }>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'zcg-client-package-'));
    await buildClient(path.join(work, 'package'));
    const packed = await pack(path.join(work, 'package'), work);
    packedFiles = packed.files;
    examples = extractExamples(await readFile(path.join(root, 'docs/frontend.md'), 'utf8'));
    appDir = path.join(work, 'app');
    await createFixtureApp(appDir, packed.tarball, examples);
    // One after the other: two compilers at once are slower on a shared machine. node16 also emits out/.
    checked.set('bundler', await typeCheck(appDir, 'bundler'));
    checked.set('node16', await typeCheck(appDir, 'node16'));
    checked.set('node10', await typeCheck(appDir, 'node10'));
    await writeFile(path.join(appDir, 'run-backend.mjs'), backendRunner);
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const runBackend = async (apiKey: string): Promise<Outcome> => {
    const env = { ...process.env, GATEWAY_URL: gateway.base, GATEWAY_API_KEY: apiKey };
    const { stdout } = await run(process.execPath, ['run-backend.mjs'], { cwd: appDir, env, timeout: 60_000 });
    return JSON.parse(stdout) as Outcome;
  };

  it('installs with no runtime dependency: ESM, types, and the three entries', async () => {
    const installed = path.join(appDir, 'node_modules/@zoom-connect-gateway/client');
    const manifest = await readJson<Record<string, unknown>>(path.join(installed, 'package.json'));
    const { version } = await readJson<{ version: string }>(path.join(root, 'package.json'));
    expect(manifest).toMatchObject({
      name: '@zoom-connect-gateway/client',
      version,
      type: 'module',
      peerDependencies: { '@tanstack/react-query': expect.any(String) },
      peerDependenciesMeta: { '@tanstack/react-query': { optional: true } },
    });
    expect(manifest).not.toHaveProperty('dependencies');
    expect(Object.keys(manifest.exports as object)).toEqual(['.', './sdk', './react-query', './package.json']);
    expect(packedFiles).toEqual(
      expect.arrayContaining(['README.md', 'index.js', 'index.d.ts', 'sdk.js', 'sdk.d.ts', 'react-query.js', 'react-query.d.ts']),
    );
  });

  it('takes its examples from the README, the backend one included', () => {
    expect(examples.map((example) => example.file)).toEqual(
      expect.arrayContaining([backendExample, 'web/connect-button.ts', 'web/use-zoom-connection.ts']),
    );
  });

  it.each(['bundler', 'node16', 'node10'] as const)("type-checks every example of the README under moduleResolution '%s'", (resolution) => {
    const result = checked.get(resolution)!;
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it("runs the README's backend example against a running gateway: a connect session, the connection list, and the token's /v1/me", async () => {
    const outcome = await runBackend(gateway.apiKey);
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.session?.connect_url.startsWith(`${gateway.base}/v1/connect/zoom?launch=`)).toBe(true);
    expect(outcome.session?.token).toEqual(expect.any(String));
    expect(outcome.connection).toBeNull();
    expect(outcome.me).toEqual({ code: 'not_connected' });
    expect(outcome.oneDefaultClient).toBe(true);
  });

  it("sends the API key given to createGatewayClient: a wrong one gets the gateway's unauthorized problem", async () => {
    const outcome = await runBackend('not-one-of-the-gateway-keys');
    expect(outcome.session).toBeUndefined();
    expect(outcome.thrown).toMatchObject({ code: 'unauthorized', status: 401 });
  });
});
