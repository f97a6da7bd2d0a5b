// npm run build: the package's ./client entry. esbuild bundles src/client into one ESM file (the generated
// types it uses vanish, nothing else is imported), and tsc emits its declarations with tsconfig.client.json,
// which also proves the client compiles against browser globals only.
import { build, type BuildOptions } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
export const clientEntry = path.join(root, 'src/client/index.ts');
const outDir = path.join(root, 'dist/client');

/** How the client is bundled, here and when `npm run size` measures it. */
export const clientBundleOptions = {
  entryPoints: [clientEntry],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'error',
} satisfies BuildOptions;

function emitDeclarations(): void {
  const configPath = path.join(root, 'tsconfig.client.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  if (diagnostics.length > 0) fail(diagnostics);
}

function fail(diagnostics: readonly ts.Diagnostic[]): never {
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  throw new Error(`the client does not compile for the browser (tsconfig.client.json):\n${ts.formatDiagnostics(diagnostics, host)}`);
}

export async function buildClient(): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({ ...clientBundleOptions, outfile: path.join(outDir, 'index.js'), sourcemap: true });
  emitDeclarations();
  // The declarations keep the source layout (src/client, generated/gateway); the entry re-exports them.
  await writeFile(path.join(outDir, 'index.d.ts'), "export * from './types/src/client/index.js';\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildClient().then(
    () => console.log(`built ${path.relative(root, outDir)}/index.js and index.d.ts`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
