/**
 * Float64 helpers for the reference implementations: plain loops over
 * number arrays, written for clarity, never for speed.
 */
import type { Matrix } from './random';
import { row } from './random';

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i]! - max);
  return max + Math.log(s);
}

/** Rows scaled to unit norm: x / sqrt(max(|x|^2, eps)). */
export function normalizeRows(m: Matrix, eps = 1e-12): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const r = row(m, i);
    const inv = 1 / Math.sqrt(Math.max(dot(r, r), eps));
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = r[j]! * inv;
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/** a @ b^T: [a.rows, b.rows]. */
export function matMulTransposed(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) out[i * b.rows + j] = dot(row(a, i), row(b, j));
  }
  return { rows: a.rows, cols: b.rows, data: out };
}

/** Rows of a followed by rows of b. */
export function concatRows(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { rows: a.rows + b.rows, cols: a.cols, data };
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}
