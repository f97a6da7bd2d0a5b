// The browser client as the demo page imports it. A compiled gateway (npm start) serves the build's
// dist/client/index.js, transpiling nothing at run time; the gateway run from its TypeScript source (tsx: the
// tests, a developer's `npm run dev`) bundles src/client with esbuild instead, so the page always runs the
// current source.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

const runningFromSource = import.meta.url.endsWith('.ts');

export async function demoClientBundle(): Promise<string> {
  if (!runningFromSource) {
    return readFile(path.join(packageRoot, 'dist/client/index.js'), 'utf8').catch(() => {
      throw new Error('The demo needs the browser client: run `npm run build`.');
    });
  }
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(packageRoot, 'src/client/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
