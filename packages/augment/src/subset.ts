/**
 * Applies an op to some samples of a batch and leaves the others untouched,
 * doing the op's work only on the chosen samples. Samples are moved with a
 * few slices when they form few runs, else with one-hot matmuls (exact, and
 * much faster on wasm than its Gather kernel). Call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';

/**
 * Above this many runs of consecutive samples, select rows with a one-hot
 * matmul instead of slicing (wasm's Slice costs about a pass over its whole
 * input, whatever the size of the slice; its Gather is slower still).
 */
const MAX_RUNS = 3;

interface Run {
  start: number;
  length: number;
  chosen: boolean;
}

function runsOf(flags: readonly boolean[]): Run[] {
  const runs: Run[] = [];
  flags.forEach((f, i) => {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.chosen === f) last.length++;
    else runs.push({ start: i, length: 1, chosen: f });
  });
  return runs;
}

function rows(x: Tensor4D, start: number, length: number): Tensor4D {
  const [, h, w, c] = x.shape;
  return start === 0 && length === x.shape[0] ? x : tf.slice(x, [start, 0, 0, 0], [length, h, w, c]);
}

/**
 * Rows `indices` of a batch of small samples as a one-hot matrix product
 * (exact: every output is 1 * x + sums of exact zeros). On wasm this is an
 * order of magnitude faster than the generic gather kernel.
 */
function selectRows(x: Tensor4D, indices: readonly number[]): Tensor4D {
  const [n, h, w, c] = x.shape;
  const onehot = new Float32Array(indices.length * n);
  indices.forEach((src, dst) => (onehot[dst * n + src] = 1));
  const flat = tf.reshape(x, [n, h * w * c]);
  return tf.reshape(tf.matMul(tf.tensor2d(onehot, [indices.length, n]), flat), [indices.length, h, w, c]);
}

function concatRows(parts: Tensor4D[]): Tensor4D {
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
}

export function applyToSubset(
  images: Tensor4D,
  chosen: readonly boolean[],
  op: (subset: Tensor4D) => Tensor4D,
): Tensor4D {
  const count = chosen.filter(Boolean).length;
  if (count === 0) return tf.clone(images);
  if (count === images.shape[0]) return op(images);
  const runs = runsOf(chosen);
  const n = images.shape[0];
  if (runs.length > MAX_RUNS) {
    // Scattered samples: row selection by matmul beats many slices.
    const indices: number[] = [];
    chosen.forEach((f, i) => f && indices.push(i));
    const changedAll = op(selectRows(images, indices));
    const map: number[] = [];
    let k = 0;
    for (let b = 0; b < n; b++) map.push(chosen[b] ? n + k++ : b);
    return selectRows(tf.concat([images, changedAll], 0), map);
  }
  const picked = runs.filter((r) => r.chosen);
  const changed = op(concatRows(picked.map((r) => rows(images, r.start, r.length))));
  let offset = 0;
  const parts = runs.map((r) => {
    if (!r.chosen) return rows(images, r.start, r.length);
    const part = rows(changed, offset, r.length);
    offset += r.length;
    return part;
  });
  return concatRows(parts);
}

/** Draws one Bernoulli(p) flag per sample. */
export function drawFlags(batch: number, p: number, next: () => number): boolean[] {
  const flags: boolean[] = [];
  for (let b = 0; b < batch; b++) flags.push(next() < p);
  return flags;
}

/**
 * Rows of `images` in the given order (a permutation or any index list):
 * slices when the order has few runs, else a one-hot matmul.
 */
export function takeRows(images: Tensor4D, order: readonly number[]): Tensor4D {
  const n = images.shape[0];
  if (order.length === n && order.every((v, i) => v === i)) return images;
  const runs: { start: number; length: number }[] = [];
  for (const i of order) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.start + last.length === i) last.length++;
    else runs.push({ start: i, length: 1 });
  }
  if (runs.length > MAX_RUNS) return selectRows(images, order);
  return concatRows(runs.map((r) => rows(images, r.start, r.length)));
}
