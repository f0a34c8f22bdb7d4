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

/** The rows `indices` of `m` as a new matrix. */
export function gatherRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const data = new Float32Array(indices.length * m.cols);
  const squaredNorms = new Float64Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
    squaredNorms[r] = m.squaredNorms[i]!;
  }
  return { rows: indices.length, cols: m.cols, data, squaredNorms };
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
