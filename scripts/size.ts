// npm run size: the client package's browser helper (its `.` entry alone: the SDK entries have no budget, they
// are for backends and React apps) bundled and minified by esbuild, gzipped at level 9 (the way Nango's frontend
// SDK measures 3.86 KB), must stay within the budget.
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { clientBundleOptions } from './build-client.js';

export const budgetBytes = 3900; // 3.9 KB

export async function measureClient(): Promise<{ minified: number; gzipped: number }> {
  const result = await build({ ...clientBundleOptions, minify: true, write: false });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} KB`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { minified, gzipped } = await measureClient();
  const within = gzipped <= budgetBytes;
  console.log(
    `@zoom-connect-gateway/client (browser helper): ${kb(gzipped)} gzipped (${gzipped} bytes; ${kb(minified)} minified), budget ${kb(budgetBytes)}: ${within ? 'within' : 'OVER'}`,
  );
  if (!within) process.exit(1);
}
