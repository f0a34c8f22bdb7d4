/**
 * Float64 references for @contrastive/loss-align-uniform, written from
 * spec/losses.md §7.1: pair loops over distinct unordered pairs (i < j).
 */
import { normalizeRows } from '../f64';
import { row, type Matrix } from '../random';

function prepare(m: Matrix, normalize: boolean | undefined): Matrix {
  return normalize === false ? m : normalizeRows(m);
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** mean_i ||u1_i - u2_i||^alpha. */
export function alignmentReference(z1: Matrix, z2: Matrix, o: { alpha?: number; normalize?: boolean } = {}): number {
  const alpha = o.alpha ?? 2;
  const a = prepare(z1, o.normalize);
  const b = prepare(z2, o.normalize);
  let total = 0;
  for (let i = 0; i < a.rows; i++) total += Math.sqrt(squaredDistance(row(a, i), row(b, i))) ** alpha;
  return total / a.rows;
}

/** log of the mean over i < j of exp(-t ||u_i - u_j||^2). */
export function uniformityReference(z: Matrix, o: { t?: number; normalize?: boolean } = {}): number {
  const t = o.t ?? 2;
  const u = prepare(z, o.normalize);
  const terms: number[] = [];
  for (let i = 0; i < u.rows; i++) {
    for (let j = i + 1; j < u.rows; j++) terms.push(-t * squaredDistance(row(u, i), row(u, j)));
  }
  const max = Math.max(...terms);
  const sum = terms.reduce((s, v) => s + Math.exp(v - max), 0);
  return max + Math.log(sum / terms.length);
}

/** alignWeight · align + uniformWeight · (unif(z1) + unif(z2)) / 2. */
export function alignUniformReference(
  z1: Matrix,
  z2: Matrix,
  o: { alignWeight?: number; uniformWeight?: number; alpha?: number; t?: number; normalize?: boolean } = {},
): number {
  const wa = o.alignWeight ?? 1;
  const wu = o.uniformWeight ?? 1;
  const align = alignmentReference(z1, z2, o);
  const unif = (uniformityReference(z1, o) + uniformityReference(z2, o)) / 2;
  return wa * align + wu * unif;
}
