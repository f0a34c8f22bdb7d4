/**
 * A read-back copy of a feature matrix plus its squared row norms, shared by
 * the k-means steps that run in JavaScript (seeding, centroid update).
 */
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

/** Reads `features` back once (async, no dataSync) and computes its row norms. */
export async function readFeatureMatrix(features: Tensor2D): Promise<FeatureMatrix> {
  const [rows, cols] = features.shape;
  const data = Float32Array.from(await features.data());
  return { rows, cols, data, squaredNorms: rowSquaredNorms(data, rows, cols) };
}

/** The rows `indices` of `m` as a new matrix. */
export function gatherRows(m: FeatureMatrix, indices: Int32Array): FeatureMatrix {
  const data = new Float32Array(indices.length * m.cols);
  const squaredNorms = new Float64Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
    squaredNorms[r] = m.squaredNorms[i]!;
  }
  return { rows: indices.length, cols: m.cols, data, squaredNorms };
}
