// Every environment variable config.ts reads, found by loading the configuration from a recording environment
// (in demo mode and outside it, where the required ones are read): the list cannot drift from config.ts.
import { loadConfig } from '../../src/config.js';

export function variablesConfigReads(): string[] {
  const read = new Set<string>();
  const recording = (env: Record<string, string>) =>
    new Proxy(env, {
      get: (target, name) => (typeof name === 'string' && read.add(name), target[name as string]),
      has: (target, name) => (typeof name === 'string' && read.add(name), name in target),
    });
  for (const env of [{}, { NODE_ENV: 'production' }] as Record<string, string>[]) {
    try {
      loadConfig(recording(env));
    } catch {
      // outside demo mode with nothing set: refused, after reading every variable
    }
  }
  return [...read].sort();
}
