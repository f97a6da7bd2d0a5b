import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapGrowingPercent, heapGrowthFlag } from '../src/heap-growth.js';

describe('heap growth', () => {
  it('sets a fixed heap growth when node was given none', () => {
    expect(heapGrowthFlag([])).toBe(`--heap-growing-percent=${heapGrowingPercent}`);
    expect(heapGrowthFlag(['--enable-source-maps', '--max-semi-space-size=8'])).toBe(`--heap-growing-percent=${heapGrowingPercent}`);
  });

  it("keeps the operator's own from node's command line, however it is spelled", () => {
    for (const flag of ['--heap-growing-percent=80', '--heap_growing_percent=50', '-heap-growing-percent=50', '--heap-growing-percent=0'])
      expect(heapGrowthFlag(['--enable-source-maps', flag])).toBeUndefined();
    expect(heapGrowthFlag(['--heap-growing-percent-x=1'])).toBe(`--heap-growing-percent=${heapGrowingPercent}`);
  });

  it('cannot be given in NODE_OPTIONS (node refuses it): the command line is where an operator gives it', () => {
    const refused = spawnSync(process.execPath, ['-e', '0'], {
      env: { ...process.env, NODE_OPTIONS: '--heap-growing-percent=50' },
      encoding: 'utf8',
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--heap-growing-percent.* is not allowed in NODE_OPTIONS/);
  });

  it('is a flag this node accepts', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toMatch(/--heap-growing-percent \(/);
  });
});
