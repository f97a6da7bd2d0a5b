// What the bench runs, built and configured once for bench/run.ts and bench/profile.ts: esbuild bundles of the
// gateway's bench entry and the baselines (bench/.build/), the production entry as `npm run build` makes it
// (dist/server/server.js, built by scripts/build-server.ts), and the gateway's environment.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildServer, defaultServerOutDir } from '../scripts/build-server.js';
import { apiKey, appOrigin } from './flows.js';

export const root = path.resolve(import.meta.dirname, '..');
const buildDir = path.join(root, 'bench/.build');

export const oauthAppId = '9a03bb66-31f6-4272-8074-38c7c675ecb0';
export const zoomClientId = 'slSJlqiDrYRufiuCxVlIuQ';

/** A bench bundle: `gateway` (the bench entry) or `baseline`. */
export const bundle = (name: 'gateway' | 'baseline') => path.join(buildDir, `${name}.mjs`);
/** The production entry, as `npm start` runs it. */
export const productionEntry = path.join(defaultServerOutDir, 'server.js');

/**
 * The node flags `npm start` gives the production entry (package.json's start script, which the Dockerfile's CMD
 * repeats): every gateway the bench runs gets them, so it measures the process an operator runs. Flags given in
 * BENCH_GATEWAY_NODE_FLAGS come after them, and V8 takes the last of a flag given twice.
 */
export function productionNodeFlags(extra = ''): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const match = /^node((?: --\S+)*) dist\/server\/server\.js$/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script is not "node [flags] dist/server/server.js": ${scripts.start}`);
  return [...match[1]!.split(' '), ...extra.split(' ')].filter(Boolean);
}

/** Builds the bench bundles and the production entry; how long it took (ms). */
export async function buildBundles(): Promise<number> {
  const started = performance.now();
  await Promise.all([
    build({
      entryPoints: { gateway: 'bench/gateway-entry.ts', baseline: 'bench/baseline-entry.ts' },
      absWorkingDir: root,
      outdir: buildDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // As npm run build does (scripts/build-server.ts), so the bench entry runs the code npm start runs.
      packages: 'external',
      splitting: true,
      logLevel: 'warning',
    }),
    buildServer(),
  ]);
  return performance.now() - started;
}

/** The gateway's environment: configured mode on a SQLite file in `dataDir`, Recall at `recallUrl` (or the bench entry's stub). */
export function gatewayEnv(dataDir: string, name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    ZOOM_REDIRECT_URI: 'http://127.0.0.1:3000/v1/connect/zoom/callback',
    DATABASE_URL: `sqlite:${path.join(dataDir, `${name}.db`)}`,
    GATEWAY_API_KEYS: apiKey,
    RECALL_API_KEY: 'bench-recall-api-key',
    RECALL_ZOOM_OAUTH_APP_ID: oauthAppId,
    ZOOM_CLIENT_ID: zoomClientId,
    ALLOWED_RETURN_ORIGINS: appOrigin,
    HEALTH_SYNC_INTERVAL_S: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
