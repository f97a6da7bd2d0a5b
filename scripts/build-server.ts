// The server half of `npm run build`: src/server.ts (npm start) and src/doctor/cli.ts (npm run doctor) bundled by
// esbuild into dist/server/, so node runs plain JavaScript and nothing is transpiled at run time. The gateway's
// own code (src/, generated/, mocks/) is bundled; packages stay imports of node_modules, which is what a
// production install (npm ci --omit=dev) provides, except the few in bundledPackages. Code splitting keeps demo mode's module (src/demo/: Prism, the
// stand-in Zoom page) in a chunk of its own, loaded only in demo mode, and one module load for the rest is a
// faster cold start than hundreds. The docs' spec (openapi/gateway.yaml) is converted to JSON next to the entry
// (dist/server/gateway.openapi.json), so the docs read it with JSON.parse instead of parsing YAML.
import { build, type Plugin } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
export const defaultServerOutDir = path.join(root, 'dist/server');

/** What `npm start` and `npm run doctor` run, inside the server's output folder. */
export const serverEntries = { server: 'src/server.ts', doctor: 'src/doctor/cli.ts' } as const;

/**
 * Packages bundled into dist/server/ rather than imported from node_modules at run time: pure JavaScript, imported
 * by no package left external (so there is never a second copy: zod comes with fastify-type-provider-zod, its one
 * other importer), and made of many ES modules, each of which node would resolve, read and compile on its own at
 * start (kysely: ~280 files, zod: ~100).
 */
export const bundledPackages: readonly string[] = ['kysely', 'zod', 'fastify-type-provider-zod'];

/** Every bare import stays external (as esbuild's packages: 'external' does), except bundledPackages'. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) => {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      return bundledPackages.includes(name) ? undefined : { path: specifier, external: true };
    });
  },
};

/** The spec as JSON, next to the compiled entry (src/routes/docs.ts serves it when it is there). */
export const builtSpecName = 'gateway.openapi.json';

export async function buildServer(outDir: string = defaultServerOutDir): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await build({
    entryPoints: serverEntries,
    absWorkingDir: root,
    outdir: outDir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalPackages],
    sourcemap: true,
    legalComments: 'none',
    // Less source for node to read and compile at start (the bundled kysely kept ~3,000 lines of JSDoc): 669 -> 404
    // kB. Identifiers keep their names (logs and stack traces stay readable; the source map has the lines).
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  const spec: unknown = parse(await readFile(path.join(root, 'openapi/gateway.yaml'), 'utf8'));
  await writeFile(path.join(outDir, builtSpecName), JSON.stringify(spec));
}
