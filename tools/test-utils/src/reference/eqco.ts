/**
 * Float64 reference of EqCo and SiMo (spec §5(a)), in the paper's form
 * log(exp(s+/tau) + (alpha/K) sum_j exp(s-_j/tau)) - s+/tau (evaluated with a
 * float64 logsumexp of [s+/tau, log(alpha/K) + s-_j/tau]); the library uses
 * the margin form, so the two are independent derivations.
 */
import type { Matrix } from '../random';
import { row } from '../random';
import { dot, logSumExp, normalizeRows } from '../f64';

export interface EqcoReferenceOptions {
  temperature: number;
  alpha: number;
  /** Default true. */
  normalize?: boolean;
}

function prep(m: Matrix, normalize: boolean | undefined): Matrix {
  return normalize === false ? m : normalizeRows(m);
}

function eqcoRow(positive: number, negatives: number[], o: EqcoReferenceOptions): number {
  const k = negatives.length;
  const terms = [positive / o.temperature, ...negatives.map((s) => Math.log(o.alpha / k) + s / o.temperature)];
  return logSumExp(terms) - positive / o.temperature;
}

/** EqCo with explicit negatives [K, d]: mean over queries. */
export function eqcoLossReference(query: Matrix, key: Matrix, negatives: Matrix, o: EqcoReferenceOptions): number {
  const q = prep(query, o.normalize);
  const k = prep(key, o.normalize);
  const n = prep(negatives, o.normalize);
  let total = 0;
  for (let i = 0; i < q.rows; i++) {
    const negs: number[] = [];
    for (let j = 0; j < n.rows; j++) negs.push(dot(row(q, i), row(n, j)));
    total += eqcoRow(dot(row(q, i), row(k, i)), negs, o);
  }
  return total / q.rows;
}

/**
 * SiMo: query i against keys j != i. `columns` (optional) lists which of the
 * B - 1 off-diagonal keys are kept, in off-diagonal numbering (column c is key
 * c when c < i, else key c + 1), the same list for every row.
 */
export function simoLossReference(
  query: Matrix,
  keys: Matrix,
  o: EqcoReferenceOptions,
  columns?: ArrayLike<number>,
): number {
  const q = prep(query, o.normalize);
  const k = prep(keys, o.normalize);
  const b = q.rows;
  let total = 0;
  for (let i = 0; i < b; i++) {
    const offDiagonal: number[] = [];
    for (let j = 0; j < b; j++) if (j !== i) offDiagonal.push(dot(row(q, i), row(k, j)));
    const negs = columns === undefined ? offDiagonal : Array.from(columns, (c) => offDiagonal[c]!);
    total += eqcoRow(dot(row(q, i), row(k, i)), negs, o);
  }
  return total / b;
}
