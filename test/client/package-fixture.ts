// A fresh app that installs the packed client package the way a frontend team would (the tarball, offline, so
// the package can bring no dependency along), with the examples of docs/frontend.md (the package's README)
// as its source files. Only the tools come from this checkout: its TypeScript and @types/node by path, and
// @tanstack/react-query linked in, standing in for the app's own install of that optional peer.
import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

export interface Example {
  /** The path the example names on its first line (`// server/zoom-connect.ts: ...`). */
  file: string;
  code: string;
}

/** Every ```ts block of a Markdown text; each must name its file on its first line. */
export function extractExamples(markdown: string): Example[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, code]) => {
    const file = /^\/\/ ([\w./-]+\.ts)\b/.exec(code!)?.[1];
    if (!file) throw new Error(`a ts example must name its file on its first line ("// web/page.ts: ..."):\n${code}`);
    return { file, code: code! };
  });
}

/** The environment of a child tool without the npm_* variables `npm test` sets for this checkout. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))), ...extra };
}

/** `npm pack` of the built package folder; returns the tarball's path and the files it holds. */
export async function pack(packageDir: string, destination: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await run('npm', ['pack', packageDir, '--json', '--pack-destination', destination], { env: toolEnv() });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(destination, packed!.filename), files: packed!.files.map((file) => file.path) };
}

const compilerOptions = {
  target: 'ES2022',
  strict: true,
  // The package's own declarations are checked too, not only the examples' use of them.
  skipLibCheck: false,
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  typeRoots: [path.join(root, 'node_modules/@types')],
  types: ['node'],
};

/** The module resolutions the README promises, each a tsconfig of the app. */
export const resolutions = {
  bundler: { ...compilerOptions, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
  node16: { ...compilerOptions, module: 'Node16', moduleResolution: 'Node16', outDir: 'out', rootDir: 'src' },
  // The old resolution ignores `exports`; it finds the entries' declarations at the package's root.
  node10: { ...compilerOptions, module: 'CommonJS', moduleResolution: 'Node10', noEmit: true },
} as const;

export type Resolution = keyof typeof resolutions;

/** The app: an ES module package with the examples under src/, the tarball installed, a tsconfig per resolution. */
export async function createFixtureApp(appDir: string, tarball: string, examples: Example[]): Promise<void> {
  await mkdir(appDir, { recursive: true });
  await writeFile(path.join(appDir, 'package.json'), JSON.stringify({ name: 'fixture-app', private: true, type: 'module' }, null, 2));
  for (const example of examples) {
    await mkdir(path.dirname(path.join(appDir, 'src', example.file)), { recursive: true });
    await writeFile(path.join(appDir, 'src', example.file), example.code);
  }
  for (const [name, options] of Object.entries(resolutions)) {
    await writeFile(path.join(appDir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: options, include: ['src'] }, null, 2));
  }
  // --offline: anything the package needed from a registry would fail the install.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: appDir, env: toolEnv(), timeout: 120_000 });
  await mkdir(path.join(appDir, 'node_modules/@tanstack'), { recursive: true });
  await symlink(path.join(root, 'node_modules/@tanstack/react-query'), path.join(appDir, 'node_modules/@tanstack/react-query'), 'dir');
}

/** tsc on the app with one resolution's tsconfig: the compiler's output, and whether it passed. */
export async function typeCheck(appDir: string, resolution: Resolution): Promise<{ ok: boolean; output: string }> {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  try {
    await run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: appDir, timeout: 180_000 });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

export const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
