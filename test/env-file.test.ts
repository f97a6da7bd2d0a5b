// Settings from a .env file (src/env-file.ts): read when present, or from ENV_FILE; the environment wins over
// the file. And .env.example, which documents every variable config.ts reads, with its real default.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { demoOauthAppId, loadConfig } from '../src/config.js';
import { loadEnvFile } from '../src/env-file.js';
import { variablesConfigReads } from './support/config-variables.js';
import { freePort } from './support/free-port.js';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const dirs: string[] = [];
const folder = (files: Record<string, string> = {}) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zcg-env-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadEnvFile', () => {
  it('reads ./.env, filling in only what the environment does not set', () => {
    const dir = folder({ '.env': 'PORT=4100\nLOG_LEVEL=debug\n# HOST=0.0.0.0\nPUBLIC_URL="http://127.0.0.1:4100"\n' });
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    expect(loadEnvFile(env, dir)).toEqual({ file: path.join(dir, '.env'), applied: ['PORT', 'PUBLIC_URL'] });
    expect(env).toEqual({ LOG_LEVEL: 'warn', PORT: '4100', PUBLIC_URL: 'http://127.0.0.1:4100' });
  });

  it('keeps an empty value from the file as set (config.ts: an empty production variable asks for production)', () => {
    const env: Record<string, string | undefined> = {};
    loadEnvFile(env, folder({ '.env': 'RECALL_API_KEY=\n' }));
    expect(env).toEqual({ RECALL_API_KEY: '' });
  });

  it('reads nothing when there is no .env', () => {
    const env: Record<string, string | undefined> = {};
    expect(loadEnvFile(env, folder())).toEqual({ applied: [] });
    expect(env).toEqual({});
  });

  it('reads the file ENV_FILE names, relative to the working folder, instead of ./.env', () => {
    const dir = folder({ '.env': 'PORT=1111\n', 'production.env': 'PORT=2222\n' });
    const env: Record<string, string | undefined> = { ENV_FILE: 'production.env' };
    loadEnvFile(env, dir);
    expect(env.PORT).toBe('2222');
  });

  it('stops with one line naming ENV_FILE when its file cannot be read', () => {
    expect(() => loadEnvFile({ ENV_FILE: 'missing.env' }, folder())).toThrow(
      'ENV_FILE=missing.env cannot be read (ENOENT): point ENV_FILE at an existing file, or unset it.',
    );
  });
});

/** The process in `cwd` (src/server.ts or the doctor), without ENV_FILE, with `env`; resolves at `until` or exit. */
function run(script: string, cwd: string, env: Record<string, string>, until: RegExp): Promise<{ out: string; err: string; code: number | null }> {
  const { ENV_FILE: _none, ...inherited } = process.env;
  const own = /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|GATEWAY_API_KEYS|RECALL_|ZOOM_|ALLOWED_RETURN_ORIGINS|LOG_LEVEL|WEBHOOK_|TRUST_PROXY|HEALTH_)/;
  const clean = Object.fromEntries(Object.entries(inherited).filter(([name]) => !own.test(name)));
  const child = spawn(tsx, [path.join(root, script)], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve) => {
    const done = (code: number | null) => resolve({ out, err, code });
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      if (until.test(out)) {
        child.once('exit', done);
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => (err += String(chunk)));
    child.once('exit', done);
  });
}

describe('npm start and npm run doctor with a .env', () => {
  it('starts with the settings of ./.env, the environment winning over it', async () => {
    const [filePort, envPort] = [await freePort(), await freePort()];
    const dir = folder();
    writeFileSync(path.join(dir, '.env'), `PORT=${filePort}\nDATABASE_URL=sqlite:${dir}/gateway.db\nHEALTH_SYNC_INTERVAL_S=0\n`);

    const fromFile = await run('src/server.ts', dir, {}, /demo API key/);
    expect(fromFile.out).toContain(`demo page:   http://127.0.0.1:${filePort}/`);
    const overridden = await run('src/server.ts', dir, { PORT: String(envPort) }, /demo API key/);
    expect(overridden.out).toContain(`demo page:   http://127.0.0.1:${envPort}/`);
    expect(readFileSync(path.join(dir, 'gateway.db')).length).toBeGreaterThan(0);
  }, 60_000);

  it('runs the doctor on the settings of ./.env', async () => {
    const dir = folder({ '.env': 'RECALL_API_KEY=from-the-file-0123456789\nPUBLIC_URL=https://gateway.example.com/zoom\n' });
    const doctor = await run('src/doctor/cli.ts', dir, {}, /$^/);
    expect(doctor.code).toBe(1);
    expect(doctor.out).toContain('PUBLIC_URL must be an origin');
    expect(doctor.out).toContain('RECALL_ZOOM_OAUTH_APP_ID is required outside demo mode (RECALL_API_KEY is set');
    expect(doctor.out).not.toContain('from-the-file-0123456789');
  }, 60_000);
});

describe('.env.example', () => {
  const text = readFileSync(path.join(root, '.env.example'), 'utf8');
  const documented = [...text.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => ({ name: name!, value: value! }));

  it('lists exactly the variables config.ts reads, each once', () => {
    const names = documented.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(variablesConfigReads());
  });

  it('is all comments: copied to .env as it is, it changes nothing (demo mode starts)', () => {
    expect(parseEnv(text)).toEqual({});
  });

  it('gives each variable a comment, and as its value the real default', () => {
    for (const { name } of documented) expect(text, name).toMatch(new RegExp(`^# [^\\n]+\\n# ${name}=`, 'm'));
    const production = {
      RECALL_API_KEY: 'recall-api-key',
      RECALL_ZOOM_OAUTH_APP_ID: demoOauthAppId,
      ZOOM_CLIENT_ID: 'zoom-client-id',
      ZOOM_REDIRECT_URI: 'https://gateway.example.com/v1/connect/zoom/callback',
      GATEWAY_API_KEYS: 'gateway-api-key-0123456789',
      PUBLIC_URL: 'https://gateway.example.com',
    };
    const defaults = documented.filter(({ value }) => value !== '');
    expect(defaults.length).toBeGreaterThan(15);
    for (const { name, value } of defaults) expect(loadConfig({ ...production, [name]: value }), name).toEqual(loadConfig(production));
  });
});
