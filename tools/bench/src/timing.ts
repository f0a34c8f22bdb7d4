import type { PreparedCase } from './types';

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs warm-ups, then `repeats` timed runs; returns each run's seconds. */
export async function timeRuns(prepared: PreparedCase, warmup: number, repeats: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await prepared.run();
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await prepared.run();
    runs.push((performance.now() - start) / 1000);
  }
  return runs;
}
