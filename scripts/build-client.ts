// npm run build: the client package, @zoom-connect-gateway/client, in dist/client/ (`npm pack ./dist/client`).
// - `.`, the browser helper: src/client/index.ts bundled alone by esbuild (the generated types it uses vanish),
//   so it keeps its own size budget (npm run size) and the demo can serve dist/client/index.js as one file;
// - `./sdk` and `./react-query`: bundled together with a shared chunk, so both use one default hey-api client;
//   @tanstack/react-query stays an import (an optional peer dependency);
// - declarations: tsc with tsconfig.client.json, which also proves the package compiles against browser
//   globals only.
import { build, type BuildOptions } from 'esbuild';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { clientEntries, clientManifest } from './client-manifest.js';

const root = path.resolve(import.meta.dirname, '..');
export const clientEntry = path.join(root, 'src/client/index.ts');
export const defaultClientOutDir = path.join(root, 'dist/client');

/** How the browser helper is bundled, here and when `npm run size` measures it. */
export const clientBundleOptions = {
  entryPoints: [clientEntry],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'error',
} satisfies BuildOptions;

function emitDeclarations(declarationDir: string): void {
  const configPath = path.join(root, 'tsconfig.client.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, declarationDir } });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  if (diagnostics.length > 0) fail(diagnostics);
}

function fail(diagnostics: readonly ts.Diagnostic[]): never {
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  throw new Error(`the client does not compile for the browser (tsconfig.client.json):\n${ts.formatDiagnostics(diagnostics, host)}`);
}

export async function buildClient(outDir: string = defaultClientOutDir): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({ ...clientBundleOptions, outfile: path.join(outDir, 'index.js'), sourcemap: true });
  await build({
    entryPoints: { sdk: path.join(root, 'src/client/sdk.ts'), 'react-query': path.join(root, 'src/client/react-query.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['@tanstack/react-query'],
    outdir: outDir,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'error',
  });
  emitDeclarations(path.join(outDir, 'types'));
  // The declarations keep the source layout (src/client, generated/...); each entry re-exports its own.
  for (const file of Object.values(clientEntries)) {
    await writeFile(path.join(outDir, `${file}.d.ts`), `export * from './types/src/client/${file}.js';\n`);
  }
  await writeFile(path.join(outDir, 'package.json'), `${JSON.stringify(await clientManifest(root), null, 2)}\n`);
  await copyFile(path.join(root, 'docs/frontend.md'), path.join(outDir, 'README.md'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildClient().then(
    () => console.log(`built ${path.relative(root, defaultClientOutDir)}/: @zoom-connect-gateway/client (npm pack ./dist/client)`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
