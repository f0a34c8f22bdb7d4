import type { Rng } from '@contrastive/core';
import { argumentError } from '@contrastive/core';

/** The prototype columns of one clustering's logits and each row's target column. */
export interface PrototypeColumns {
  /** Prototype ids, in column order: the positives first, then the r sampled negatives. */
  columns: Int32Array;
  /** targets[i]: the column of row i's own prototype. */
  targets: Int32Array;
  /** Number of positive columns (B without dedupe; the distinct assigned ids with it). */
  positives: number;
}

/**
 * Chooses the columns of a PCL prototype term (spec §2(a) step 2, §2(e)):
 *
 * - positives: with `dedupe` (the §2(e)1 fix) each distinct assigned id once,
 *   in order of first appearance, and row i targets its own id's column;
 *   without it the official code's layout: column b = assignment[b], target i = i
 *   (same-cluster rows then see their own prototype again as a negative);
 * - negatives: r ids drawn uniformly without replacement from all ids
 *   0..k-1 that no batch row is assigned to (§2(e)2: the last id included),
 *   one set shared by every row (§2(e)4).
 *
 * Pure JavaScript on the assignment array: no device read-back.
 * Throws OUT_OF_RANGE when r exceeds the available ids.
 */
export function prototypeColumns(
  fn: string,
  assignment: Int32Array,
  numPrototypes: number,
  negatives: number,
  dedupe: boolean,
  rng: Rng,
): PrototypeColumns {
  const used = new Uint8Array(numPrototypes);
  const firstColumn = new Int32Array(numPrototypes).fill(-1);
  const positives: number[] = [];
  const targets = new Int32Array(assignment.length);
  for (let i = 0; i < assignment.length; i++) {
    const id = assignment[i]!;
    used[id] = 1;
    if (!dedupe) {
      positives.push(id);
      targets[i] = i;
    } else {
      if (firstColumn[id] === -1) {
        firstColumn[id] = positives.length;
        positives.push(id);
      }
      targets[i] = firstColumn[id]!;
    }
  }
  let free = 0;
  for (let id = 0; id < numPrototypes; id++) free += 1 - used[id]!;
  if (negatives > free) {
    throw argumentError(
      'OUT_OF_RANGE',
      fn,
      'negativePrototypes',
      `at most the ${free} prototypes no batch row is assigned to (k = ${numPrototypes})`,
      String(negatives),
    );
  }
  const pool = new Int32Array(free);
  for (let id = 0, o = 0; id < numPrototypes; id++) if (used[id] === 0) pool[o++] = id;
  const columns = new Int32Array(positives.length + negatives);
  columns.set(positives);
  // Partial Fisher-Yates in place on the pool (a fresh array): the same
  // draws, rng.int(n - i) for i = 0..r-1, and the same picks as
  // rng.sampleWithoutReplacement(n, r) indexing the pool, without its
  // sparse swap map (3-8 ms for r = 16384).
  for (let i = 0; i < negatives; i++) {
    const j = i + rng.int(free - i);
    const picked = pool[j]!;
    pool[j] = pool[i]!;
    pool[i] = picked;
    columns[positives.length + i] = picked;
  }
  return { columns, targets, positives: positives.length };
}
