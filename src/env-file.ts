// Settings from a file: `npm start`, `npm run dev` and `npm run doctor` read ./.env when there is one, or the
// file ENV_FILE names (which must then exist; ENV_FILE=/dev/null reads none). The environment wins over the
// file: a variable set in both keeps its environment value, so a deployment's own settings (a container's, a
// secret mounted into the environment) are never overridden by a file left in the folder. A variable the file
// sets counts as set, an empty one too (config.ts: setting any production variable asks for production).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

export interface EnvFileRead {
  /** The file read, or undefined when there was none to read. */
  file?: string;
  /** The variables taken from it (the others were already set). */
  applied: string[];
}

export function loadEnvFile(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): EnvFileRead {
  const named = env.ENV_FILE?.trim() || undefined;
  const file = named ? path.resolve(cwd, named) : path.join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!named && code === 'ENOENT') return { applied: [] };
    throw new Error(`ENV_FILE=${named ?? '.env'} cannot be read (${code ?? String(error)}): point ENV_FILE at an existing file, or unset it.`, {
      cause: error,
    });
  }
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    applied.push(name);
  }
  return { file, applied };
}
