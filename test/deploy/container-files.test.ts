// The Dockerfile, .dockerignore and compose.yaml, checked without a container runtime (none runs here or in CI):
// the image builds with the commands CI runs and installs with the script CI's production test runs, runs the
// compiled entry as a user that is not root, and its HEALTHCHECK command, run by node as the image runs it,
// tells a ready gateway from one that is not; compose gives the gateway only variables it reads.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { productionVariables } from '../../src/config.js';
import { variablesConfigReads } from '../support/config-variables.js';
import { freePort } from '../support/free-port.js';
import { useGateway } from '../support/gateway.js';
import { dockerIgnores, parseDockerfile, type Stage } from './dockerfile.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const stages = parseDockerfile(read('Dockerfile'));
const [build, runtime] = stages as [Stage, Stage];
const runs = (stage: Stage) => stage.instructions.filter((i) => i.name === 'RUN').map((i) => i.args);
const one = (stage: Stage, name: string) => stage.instructions.filter((i) => i.name === name).at(-1)?.args;

describe('the Dockerfile', () => {
  it('has a build stage and a runtime stage, both on a slim Node 20 image', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    for (const stage of stages) expect(stage.from).toMatch(/^node:20-[a-z]+-slim$/);
  });

  it('builds with the commands CI runs (.ci/run), then installs with scripts/production-install.sh, as test/production does', () => {
    const ci = read('.ci/run');
    const [toolchain, ...commands] = runs(build);
    expect(toolchain).toMatch(/^apt-get update && apt-get install -y --no-install-recommends python3 make g\+\+ /);
    expect(commands).toEqual(['npm ci --no-audit --no-fund', 'npm run build', 'bash scripts/production-install.sh /src /app']);
    expect(ci).toContain('npm ci --no-audit --no-fund');
    expect(ci).toContain('npm run build');
    expect(read('test/production/production-install.test.ts')).toContain("'scripts/production-install.sh'");
    // The install's own commands are the script's, never copied here.
    for (const stage of stages) for (const command of runs(stage)) expect(command).not.toMatch(/--omit=dev|npm install/);
  });

  it('runs the production install as a user that is not root, with npm start’s command', () => {
    expect(one(runtime, 'COPY')).toBe('--from=build /app /app');
    expect(runs(runtime)).toEqual(['mkdir -p /app/data && chown node:node /app/data']);
    expect(one(runtime, 'USER')).toBe('node');
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(JSON.parse(one(runtime, 'CMD')!)).toEqual(start.split(' '));
    expect(one(runtime, 'ENV')).toMatch(/NODE_ENV=production/);
    expect(one(runtime, 'ENV')).toMatch(/HOST=0\.0\.0\.0/);
  });

  describe('HEALTHCHECK, run by node as the image runs it', () => {
    const gateway = useGateway();
    const healthcheck = one(runtime, 'HEALTHCHECK')!;
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];

    async function check(port: number): Promise<number> {
      expect(command[0]).toBe('node');
      return promisify(execFile)(process.execPath, command.slice(1), { env: { PORT: String(port) } }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    }

    it('needs no curl: node with a time limit', () => {
      expect(healthcheck).toMatch(/^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[/);
      expect(command.join(' ')).toContain('/readyz');
      expect(command.join(' ')).not.toContain('curl');
    });

    it('passes on a ready gateway', async () => {
      await gateway.app.listen({ port: 0, host: '127.0.0.1' });
      expect(await check((gateway.app.server.address() as AddressInfo).port)).toBe(0);
    });

    it('fails when nothing listens on PORT', async () => {
      expect(await check(await freePort())).toBe(1);
    });

    it('fails when /readyz answers 503 (not ready)', async () => {
      const notReady = createServer((_request, response) => response.writeHead(503).end('{"status":"not_ready"}'));
      await new Promise<void>((resolve) => notReady.listen(0, '127.0.0.1', resolve));
      try {
        expect(await check((notReady.address() as AddressInfo).port)).toBe(1);
      } finally {
        notReady.close();
      }
    });
  });
});

describe('.dockerignore', () => {
  const ignored = dockerIgnores(read('.dockerignore'));

  it('keeps out secrets, this machine’s installs and builds, and local data', () => {
    for (const file of ['.env', '.env.production', 'node_modules/fastify/package.json', 'dist/server/server.js', 'data/gateway.db', '.git/HEAD']) {
      expect(ignored(file), file).toBe(true);
    }
  });

  it('sends what the build reads', () => {
    for (const file of [
      'package.json',
      'package-lock.json',
      'scripts/production-install.sh',
      'scripts/prepare.mjs',
      'scripts/build.ts',
      'src/server.ts',
      'generated/gateway/zod.gen.ts',
      'mocks/prism.ts',
      'openapi/gateway.yaml',
      'docs/frontend.md',
      'tsconfig.client.json',
      '.env.example',
    ]) {
      expect(ignored(file), file).toBe(false);
    }
  });
});

describe('compose.yaml', () => {
  type Service = { build?: string; image?: string; environment: Record<string, string>; depends_on?: Record<string, { condition: string }> };
  const compose = parse(read('compose.yaml')) as { services: Record<string, Service> };
  const { gateway, postgres } = compose.services as { gateway: Service; postgres: Service };

  it('builds the gateway from the Dockerfile, beside PostgreSQL, which it waits for', () => {
    expect(gateway.build).toBe('.');
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(gateway.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(gateway.environment.DATABASE_URL).toBe('postgres://gateway:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@postgres:5432/gateway');
  });

  it('gives the gateway only variables config.ts reads', () => {
    const known = variablesConfigReads();
    expect(Object.keys(gateway.environment).filter((name) => !known.includes(name))).toEqual([]);
  });

  it('takes every production variable from the environment and refuses to start without it (no secret in the file)', () => {
    for (const name of productionVariables) expect(gateway.environment[name], name).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`));
    for (const [name, value] of Object.entries(gateway.environment)) expect(value, name).toMatch(/\$\{[A-Z_]+:[?-][^}]*\}/);
  });
});
