// The docs a newcomer reads (README.md and docs/) stay true to the repository: every relative link resolves to a
// file, and to a heading when it names one; every `npm run X` they tell someone to type exists in package.json;
// nothing points into a folder users do not have.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingAnchors, markdownLinks, npmRunScripts } from './support/markdown.js';

const root = path.resolve(import.meta.dirname, '..');
const docsDir = path.join(root, 'docs');
const documents = [
  'README.md',
  ...readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

describe.each(documents)('%s', (file) => {
  const text = read(file);

  it('links only to files and headings that exist', () => {
    const broken = markdownLinks(text)
      .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target))
      .flatMap((link) => {
        const [target = '', anchor] = link.target.split('#');
        const resolved = target === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), decodeURI(target));
        if (!existsSync(resolved)) return [`line ${link.line}: ${link.target} (no such file)`];
        if (anchor === undefined || anchor === '' || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) return [];
        const anchors = headingAnchors(readFileSync(resolved, 'utf8'));
        return anchors.has(anchor) ? [] : [`line ${link.line}: ${link.target} (no heading #${anchor})`];
      });
    expect(broken).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const unknown = npmRunScripts(text).filter((name) => !scripts.includes(name));
    expect(unknown).toEqual([]);
  });

  it('never points into ../shared/, which users do not have', () => {
    expect(text).not.toMatch(/\.\.\/shared\//);
  });
});

describe('the docs check itself', () => {
  it('finds a broken link, a missing heading and an unknown script in a sample', () => {
    const sample = '# Title\n\nSee [a](./missing.md), [b](#nowhere), [c](#title) and `npm run no-such-script` or npm run -s gen.\n';
    expect(markdownLinks(sample).map((link) => link.target)).toEqual(['./missing.md', '#nowhere', '#title']);
    expect([...headingAnchors(sample)]).toEqual(['title']);
    expect(npmRunScripts(sample)).toEqual(['no-such-script', 'gen']);
  });

  it('ignores links inside fenced code (commands there are checked: they are what people type)', () => {
    const sample = '```sh\n[not a link](nowhere.md)\n```\n';
    expect(markdownLinks(sample)).toEqual([]);
  });
});
