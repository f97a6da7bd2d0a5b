// npm run build: the compiled gateway in dist/server/ (npm start, npm run doctor) and the client package in
// dist/client/ (npm pack ./dist/client; the demo page serves its browser helper).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildClient } from './build-client.js';
import { buildServer } from './build-server.js';

const root = path.resolve(import.meta.dirname, '..');

export async function buildGateway(distDir: string = path.join(root, 'dist')): Promise<void> {
  await buildServer(path.join(distDir, 'server'));
  await buildClient(path.join(distDir, 'client'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  buildGateway().then(
    () =>
      console.log(
        `built dist/server/ (npm start, npm run doctor) and dist/client/ (@zoom-connect-gateway/client) in ${Math.round(performance.now() - started)} ms`,
      ),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
