// Reading the Dockerfile and .dockerignore the way Docker does, for the parts this repository uses: stages
// (FROM ... AS name), instructions with their continuation lines joined, and ignore patterns (`*`, `**`, `!`,
// the last matching pattern deciding).

export interface Stage {
  from: string;
  name: string;
  instructions: { name: string; args: string }[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [name = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (name.toUpperCase() === 'FROM') {
      const [from = '', , stageName = ''] = args.split(/\s+/);
      stages.push({ from, name: stageName, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${name} before FROM`);
      stage.instructions.push({ name: name.toUpperCase(), args });
    }
  }
  return stages;
}

/** Whether .dockerignore keeps `file` (a path relative to the build context) out of the context. */
export function dockerIgnores(text: string): (file: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const glob = negated ? line.slice(1) : line;
      const source = glob
        .split(/(\*\*\/|\*)/)
        .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      // A pattern matches the path itself and everything under it.
      return { negated, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (file) => patterns.reduce((ignored, { negated, regex }) => (regex.test(file) ? !negated : ignored), false);
}
