// How far V8 lets the old generation grow past what the last full GC kept before it collects again. By default the
// factor depends on how fast the GCs ran and ends near 3-4x on a gateway under load: its requests' short-lived
// objects that survive two scavenges (the ones in flight when the young generation fills) pile up to about 70 MB of
// garbage on a live heap of about 25 MB, and the process's resident memory with them. A fixed 1.3x keeps the old
// generation near what is live: full GCs come more often, and V8 runs them incrementally and concurrently.
//
// Measured with npm run bench:profile -- read gc (10 s of connection reads after 5,000 flows): peak RSS 182 -> 153
// MB, old generation at the end 78 -> 26 MB, full GCs 4 -> 10, longest pause 3.6 -> 12 ms, throughput within the
// run-to-run noise. An operator who starts node with --heap-growing-percent on its command line keeps theirs (node
// refuses the flag in NODE_OPTIONS; --heap-growing-percent=0 is V8's own dynamic growth).
import v8 from 'node:v8';

export const heapGrowingPercent = 30;

/** The V8 flag to set, or undefined when node's command line gave a heap growth of its own. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  // node takes V8 flags with one dash or two, and - or _ between the words.
  const given = execArgv.some((flag) => /^--?heap[-_]growing[-_]percent(=|$)/.test(flag));
  return given ? undefined : `--heap-growing-percent=${heapGrowingPercent}`;
}

/** Sets this process's heap growth (V8 reads it at every full GC, so it holds from the next one on). */
export function limitHeapGrowth(): void {
  const flag = heapGrowthFlag(process.execArgv);
  if (flag) v8.setFlagsFromString(flag);
}
