/**
 * Two-dimensional PCA in float64 JavaScript for the report's embedding
 * scatter: centre the rows, find the top-2 principal directions by subspace
 * (block power) iteration on X^T X without forming the covariance, resolve
 * them inside the subspace with a 2×2 eigen-decomposition, and project.
 */
import { argumentError, assertInteger, assertPositive, createRng } from '@contrastive/core';

/** Options of {@link pca2d}. */
export interface Pca2dOptions {
  /** Maximum iterations. Default 500. */
  maxIterations?: number;
  /** Stop when the subspace moves less than this (1 − |cos|). Default 1e-12. */
  tolerance?: number;
  /** Seed of the random start. Default 0. */
  seed?: number;
}

/** Defaults of {@link pca2d}. */
export const PCA_DEFAULTS = Object.freeze({ maxIterations: 500, tolerance: 1e-12, seed: 0 });

/** Result of {@link pca2d}. */
export interface Pca2d {
  /** Projections [rows, 2], row-major. */
  readonly points: Float64Array;
  /** The two unit principal directions (length `cols`); the largest-magnitude entry of each is positive. */
  readonly components: readonly [Float64Array, Float64Array];
  /** Variance along each direction (sample variance, divisor rows − 1). */
  readonly variance: readonly [number, number];
  readonly iterations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** C·v with C = Xc^T Xc / (n − 1), computed as Xc^T (Xc v). */
function covTimes(x: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const out = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const o = r * d;
    for (let c = 0; c < d; c++) s += x[o + c]! * v[c]!;
    for (let c = 0; c < d; c++) out[c]! += s * x[o + c]!;
  }
  for (let c = 0; c < d; c++) out[c]! /= Math.max(n - 1, 1);
  return out;
}

/** Orthonormalises b against a unit a; returns zeros when b lies in span(a). */
function orthonormal(a: Float64Array, b: Float64Array): Float64Array {
  const p = dot(a, b);
  const out = b.map((v, i) => v - p * a[i]!);
  const nb = Math.sqrt(dot(b, b));
  const n = Math.sqrt(dot(out, out));
  return n > 1e-12 * Math.max(nb, 1e-300) && n > 0 ? out.map((v) => v / n) : new Float64Array(b.length);
}

function normalise(a: Float64Array): Float64Array {
  const n = Math.sqrt(dot(a, a));
  return n > 0 ? a.map((v) => v / n) : a;
}

function fixSign(v: Float64Array): Float64Array {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]!) > Math.abs(v[k]!)) k = i;
  return v[k]! < 0 ? v.map((x) => -x) : v;
}

/**
 * Projects `values` ([rows, cols] row-major, e.g. `await embeddings.data()`)
 * onto its top-2 principal components.
 */
export function pca2d(values: ArrayLike<number>, shape: readonly [number, number], options: Pca2dOptions = {}): Pca2d {
  const fn = 'pca2d';
  const [n, d] = shape;
  assertInteger(fn, 'rows', n, 2);
  assertInteger(fn, 'cols', d, 1);
  if (values.length !== n * d) {
    throw argumentError('SHAPE_MISMATCH', fn, 'values', `${n}·${d} = ${n * d} numbers`, String(values.length));
  }
  const o = { ...PCA_DEFAULTS, ...options };
  assertInteger(fn, 'maxIterations', o.maxIterations, 1);
  assertPositive(fn, 'tolerance', o.tolerance);
  const x = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += Number(values[r * d + c]);
    mean /= n;
    for (let r = 0; r < n; r++) x[r * d + c] = Number(values[r * d + c]) - mean;
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw argumentError('NOT_FINITE', fn, 'values', 'finite', `${x[i]} at flat index ${i}`);
  }
  const rng = createRng(o.seed);
  let v1 = normalise(Float64Array.from({ length: d }, () => rng.normal()));
  let v2 = d > 1 ? orthonormal(v1, Float64Array.from({ length: d }, () => rng.normal())) : new Float64Array(d);
  let iterations = 0;
  for (; iterations < o.maxIterations; iterations++) {
    const w1 = normalise(covTimes(x, n, d, v1));
    const w2 = d > 1 ? orthonormal(w1, covTimes(x, n, d, v2)) : v2;
    const moved = Math.max(1 - Math.abs(dot(w1, v1)), dot(v2, v2) > 0 ? 1 - Math.abs(dot(w2, v2)) : 0);
    v1 = w1;
    v2 = w2;
    if (moved < o.tolerance) {
      iterations += 1;
      break;
    }
  }
  // Rayleigh–Ritz in span(v1, v2): eigen-decompose B = V^T C V (2×2 symmetric).
  const c1 = covTimes(x, n, d, v1);
  const c2 = covTimes(x, n, d, v2);
  const a = dot(v1, c1);
  const b = dot(v1, c2);
  const e = dot(v2, c2);
  const theta = 0.5 * Math.atan2(2 * b, a - e);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  let p1 = fixSign(v1.map((v, i) => cos * v + sin * v2[i]!));
  let p2 = fixSign(v2.map((v, i) => -sin * v1[i]! + cos * v));
  let l1 = dot(p1, covTimes(x, n, d, p1));
  let l2 = dot(p2, covTimes(x, n, d, p2));
  if (l2 > l1) [p1, p2, l1, l2] = [p2, p1, l2, l1];
  const points = new Float64Array(n * 2);
  for (let r = 0; r < n; r++) {
    let s1 = 0;
    let s2 = 0;
    for (let c = 0; c < d; c++) {
      s1 += x[r * d + c]! * p1[c]!;
      s2 += x[r * d + c]! * p2[c]!;
    }
    points[2 * r] = s1;
    points[2 * r + 1] = s2;
  }
  return { points, components: [p1, p2], variance: [l1, l2], iterations };
}
