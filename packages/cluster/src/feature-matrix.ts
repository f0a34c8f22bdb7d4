/**
 * A read-back copy of a feature matrix plus its squared row norms, shared by
 * the k-means steps that run in JavaScript (seeding, centroid update).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** Row-major float32 rows with float64 squared norms. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
  readonly squaredNorms: Float64Array;
}

/** Squared L2 norm of each row, accumulated in float64. */
export function rowSquaredNorms(data: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j]!;
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/** Reads `features` back once (asynchronously) and computes its row norms. */
export async function readFeatureMatrix(features: Tensor2D): Promise<FeatureMatrix> {
  const [rows, cols] = features.shape;
  const data = Float32Array.from(await features.data());
  return { rows, cols, data, squaredNorms: rowSquaredNorms(data, rows, cols) };
}

/**
 * Rows [start, start + count) of `m` as a new [count, d] tensor, uploaded
 * from the read-back copy. Chunks are made this way, not with tf.slice of
 * the features tensor: tfjs-wasm's Slice copies its whole input out of the
 * wasm heap on every call (25.6 MB per chunk at 50k x 128).
 */
export function rowBlock(m: FeatureMatrix, start: number, count: number): Tensor2D {
  return tf.tensor2d(m.data.subarray(start * m.cols, (start + count) * m.cols), [count, m.cols]);
}

/** Runs of at least this many consecutive rows are copied with one `set` (a memcpy) instead of a loop. */
const MIN_RUN = 4;

/**
 * Copies rows `indices[from .. from + count)` of `m` into `out` (row-major,
 * at least count * d long). Consecutive indices (rows sorted by cluster
 * group, bounded-lloyd.ts) are copied as one run; other rows by a plain
 * loop, with no per-row views.
 */
export function gatherRowsInto(m: FeatureMatrix, indices: Int32Array, from: number, count: number, out: Float32Array): void {
  const d = m.cols;
  const data = m.data;
  const end = from + count;
  let o = 0;
  let r = from;
  while (r < end) {
    const first = indices[r]!;
    let last = r + 1;
    while (last < end && indices[last] === first + (last - r)) last++;
    const run = last - r;
    if (run >= MIN_RUN) {
      out.set(data.subarray(first * d, (first + run) * d), o);
      o += run * d;
    } else {
      for (let q = r; q < last; q++) {
        const base = indices[q]! * d;
        for (let a = 0; a < d; a++) out[o++] = data[base + a]!;
      }
    }
    r = last;
  }
}

/** The rows `indices` of `m` as a new matrix. */
export function gatherRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const rows = Int32Array.from(indices);
  const data = new Float32Array(rows.length * m.cols);
  gatherRowsInto(m, rows, 0, rows.length, data);
  const squaredNorms = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) squaredNorms[r] = m.squaredNorms[rows[r]!]!;
  return { rows: rows.length, cols: m.cols, data, squaredNorms };
}

/**
 * Squared distance between row `i` of `x` (row length d) and row `j` of
 * `c`, four accumulators wide (breaks the add dependency chain; about 2x
 * faster in V8 than one accumulator).
 */
export function squaredDistanceRows(
  x: Float32Array | Float64Array,
  i: number,
  c: Float32Array | Float64Array,
  j: number,
  d: number,
): number {
  const xb = i * d;
  const cb = j * d;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let a = 0;
  for (; a + 3 < d; a += 4) {
    const e0 = x[xb + a]! - c[cb + a]!;
    const e1 = x[xb + a + 1]! - c[cb + a + 1]!;
    const e2 = x[xb + a + 2]! - c[cb + a + 2]!;
    const e3 = x[xb + a + 3]! - c[cb + a + 3]!;
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; a < d; a++) {
    const e = x[xb + a]! - c[cb + a]!;
    s0 += e * e;
  }
  return s0 + s1 + s2 + s3;
}

/**
 * Squared distance between row `i` of the float32 rows `x` and row `j` of
 * the float64 centroids `c` (row length d), accumulated in float64. The
 * same arithmetic as {@link squaredDistanceRows}, in a function of its own
 * so that its element loads see one pair of array types (V8 keeps type
 * feedback per function; mixed types slowed the bounded E-step's per-row
 * distances several-fold).
 */
export function rowCentroidDistance(x: Float32Array, i: number, c: Float64Array, j: number, d: number): number {
  const xb = i * d;
  const cb = j * d;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let a = 0;
  for (; a + 3 < d; a += 4) {
    const e0 = x[xb + a]! - c[cb + a]!;
    const e1 = x[xb + a + 1]! - c[cb + a + 1]!;
    const e2 = x[xb + a + 2]! - c[cb + a + 2]!;
    const e3 = x[xb + a + 3]! - c[cb + a + 3]!;
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; a < d; a++) {
    const e = x[xb + a]! - c[cb + a]!;
    s0 += e * e;
  }
  return s0 + s1 + s2 + s3;
}
