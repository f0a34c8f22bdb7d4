import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';

/** A float64 matrix stored row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Seeded standard-normal matrix. */
export function randomMatrix(seed: number, rows: number, cols: number, scale = 1): Matrix {
  const rng = createRng(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * scale;
  return { rows, cols, data };
}

/** The float32 tensor of a float64 matrix (values rounded to float32). */
export function toTensor2d(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
}

/** Rounds a matrix's values to float32 so the reference sees what tfjs sees. */
export function roundToFloat32(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(Float32Array.from(m.data)) };
}

/** Row `i` of a matrix as a view. */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
