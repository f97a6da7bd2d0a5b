// `npm run check:gen`: regenerate every output of openapi-ts.config.ts (recall, gateway, and gateway-sdk for the
// client package) and of scripts/generate-contract.ts into a scratch folder and compare it with the committed generated/ tree. Exits 1 and names
// every file that regenerating would change, add or remove.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateContract } from './generate-contract.js';

const root = path.resolve(import.meta.dirname, '..');
const committed = path.join(root, 'generated');
const scratch = mkdtempSync(path.join(tmpdir(), 'check-gen-'));

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

try {
  execFileSync(path.join(root, 'node_modules/.bin/openapi-ts'), [], {
    cwd: root,
    env: { ...process.env, GEN_OUT_DIR: scratch },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  generateContract(scratch);
  const fresh = new Set(filesUnder(scratch));
  const current = new Set(filesUnder(committed));
  const problems: string[] = [];
  for (const file of fresh) {
    if (!current.has(file)) problems.push(`missing  generated/${file} (regenerating would add it)`);
    else if (!readFileSync(path.join(scratch, file)).equals(readFileSync(path.join(committed, file)))) {
      problems.push(`stale    generated/${file} (regenerating would change it)`);
    }
  }
  for (const file of current) {
    if (!fresh.has(file)) problems.push(`extra    generated/${file} (regenerating would remove it)`);
  }
  if (problems.length > 0) {
    console.error(`check:gen: generated/ does not match the specs; run \`npm run gen\` and commit:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`check:gen: generated/ matches openapi/*.yaml (${fresh.size} files)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
