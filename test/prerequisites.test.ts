// What `npm ci` and `npm test` need beyond Node.js is said, not discovered: the engines npm checks agree with
// the README's Node.js 20.19, and a test run on a machine without Chromium or PostgreSQL's binaries names the
// missing piece and the command that installs it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireChromium } from './support/prerequisites.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

/** This environment without vitest's own variables, for a vitest or npm started from a test. */
const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|npm_)/i.test(name))),
  ...extra,
});

describe('prerequisites', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('npm ci on this Node.js warns of no package whose engines refuse it', async () => {
    const { stdout, stderr } = await run('npm', ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: root,
      env: childEnv({}),
      timeout: 120_000,
    });
    expect(`${stdout}${stderr}`).not.toContain('EBADENGINE');
  }, 150_000);

  it('a test run without Chromium and PostgreSQL says, at its start, which are missing and the apt-get command for each', async () => {
    const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
    const env = childEnv({ CHROMIUM_PATH: '/nonexistent/chromium', PG_BIN_DIR: '/nonexistent/postgresql/bin' });
    // Any small test file: the message comes from the run's global setup, before a test starts.
    const { stdout, stderr } = await run(process.execPath, [vitest, 'run', 'test/client/redirect-result.test.ts'], {
      cwd: root,
      env,
      timeout: 120_000,
    });
    const output = `${stdout}${stderr}`;
    expect(output).toContain('This machine lacks what some tests need');
    expect(output).toContain('Chromium (no executable at /nonexistent/chromium)');
    expect(output).toContain('sudo apt-get update && sudo apt-get install -y chromium');
    expect(output).toContain('not in PG_BIN_DIR=/nonexistent/postgresql/bin');
    expect(output).toContain('sudo apt-get update && sudo apt-get install -y postgresql');
  }, 150_000);

  it('a browser test on a machine without Chromium fails with that message, not a launch error', () => {
    vi.stubEnv('CHROMIUM_PATH', '/nonexistent/chromium');
    expect(() => requireChromium()).toThrow(
      /Chromium \(no executable at \/nonexistent\/chromium\)[\s\S]*needed by the browser tests[\s\S]*apt-get install -y chromium/,
    );
  });
});
