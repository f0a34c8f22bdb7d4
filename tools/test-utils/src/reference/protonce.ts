/**
 * Float64 references for @contrastive/loss-protonce, written from
 * spec/losses.md §2(a) and §2(e): the prototype columns are spelled out one
 * by one, the negative ids are given explicitly.
 */
import { dot, logSumExp, normalizeRows } from '../f64';
import { row, type Matrix } from '../random';
import { infoNceReference } from './infonce';

export interface RefClustering {
  /** [k, d] prototypes, used as given. */
  prototypes: Matrix;
  /** [k] concentrations phi. */
  concentration: ArrayLike<number>;
  /** [B] cluster id per row. */
  assignment: ArrayLike<number>;
  /** The sampled negative prototype ids. */
  negativeIds: ArrayLike<number>;
}

/**
 * One clustering's term: mean_i CE over columns [positives..., negatives...],
 * logit[i, j] = v_i . c_col(j) / phi_col(j). Without dedupe column b holds
 * the prototype of row b and row i targets column i (official code); with
 * dedupe each distinct id is one column and row i targets its own id.
 */
export function prototypeTermReference(query: Matrix, c: RefClustering, o: { dedupe?: boolean; normalize?: boolean } = {}): number {
  const v = o.normalize === false ? query : normalizeRows(query);
  const positives: number[] = [];
  for (let i = 0; i < v.rows; i++) {
    const id = c.assignment[i]!;
    if (o.dedupe === false || !positives.includes(id)) positives.push(id);
  }
  const columns = [...positives, ...Array.from(c.negativeIds)];
  let total = 0;
  for (let i = 0; i < v.rows; i++) {
    const vi = row(v, i);
    const logits = columns.map((id) => dot(vi, row(c.prototypes, id)) / c.concentration[id]!);
    const target = o.dedupe === false ? i : positives.indexOf(c.assignment[i]!);
    total += logSumExp(logits) - logits[target]!;
  }
  return total / v.rows;
}

/** InfoNCE(query, key, negatives; tau) + mean over clusterings of the prototype terms. */
export function protoNceReference(
  query: Matrix,
  key: Matrix,
  negatives: Matrix,
  clusterings: readonly RefClustering[],
  o: { temperature: number; dedupe?: boolean; normalize?: boolean },
): number {
  const instance = infoNceReference(query, key, negatives, o);
  if (clusterings.length === 0) return instance;
  const proto = clusterings.reduce((s, c) => s + prototypeTermReference(query, c, o), 0) / clusterings.length;
  return instance + proto;
}
