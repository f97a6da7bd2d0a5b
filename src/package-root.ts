// The gateway's own folder (where openapi/ is), found from this module's place: the same answer whether it runs
// from src/ (tsx, tests) or bundled into dist/server/ (npm start), where a fixed '../..' would point elsewhere.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'openapi/gateway.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`openapi/gateway.yaml not found above ${from}: the gateway's files are incomplete`);
  }
}

export const packageRoot = findPackageRoot(import.meta.dirname);
