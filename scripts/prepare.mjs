// npm runs `prepare` after every `npm ci` / `npm install` in this folder. With the dev dependencies installed it
// builds dist/ (npm run build), so `npm ci && npm start` works in one go. A production install
// (npm ci --omit=dev) has no build tools: it must not fail here; its dist/ comes from `npm run build` on a
// machine that has them (scripts/production-install.sh, the Dockerfile's build stage). Plain JavaScript: tsx is
// a dev dependency too.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tools = ['tsx', 'esbuild'].map((name) => new URL(`../node_modules/.bin/${name}`, import.meta.url));
if (tools.every((tool) => existsSync(tool))) {
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
} else {
  console.log('prepare: no build tools (a production install without dev dependencies): dist/ is not built here; it comes from `npm run build`.');
}
