import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapGrowingPercent, heapGrowthFlag } from '../src/heap-growth.js';

describe('heap growth', () => {
  it('sets a fixed heap growth when node was given none', () => {
    expect(heapGrowthFlag([], '')).toBe(`--heap-growing-percent=${heapGrowingPercent}`);
    expect(heapGrowthFlag(['--enable-source-maps'], '--max-old-space-size=256')).toBe(`--heap-growing-percent=${heapGrowingPercent}`);
  });

  it("keeps the operator's own, on the command line or in NODE_OPTIONS, in either spelling", () => {
    expect(heapGrowthFlag(['--heap-growing-percent=80'])).toBeUndefined();
    expect(heapGrowthFlag([], '--enable-source-maps --heap_growing_percent=50')).toBeUndefined();
    expect(heapGrowthFlag(['--heap-growing-percent-x=1'])).toBe(`--heap-growing-percent=${heapGrowingPercent}`);
  });

  it('is a flag this node accepts', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toMatch(/--heap-growing-percent \(/);
  });
});
