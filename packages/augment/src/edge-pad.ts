/**
 * Edge padding of a crop source (one pixel, the edge repeated), shared by all
 * crops of the same batch inside {@link sharePadding}: `multiView` and
 * `multiCrop` crop one batch several times, and on wasm the padding costs a
 * third of a crop (`MirrorPad` is a scalar pass over the whole batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';

let shared: Map<Tensor4D, Tensor4D> | null = null;

const pad = (images: Tensor4D): Tensor4D =>
  tf.mirrorPad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric') as Tensor4D;

/** `images` [N, H, W, C] padded to [N, H + 2, W + 2, C]; borrowed when shared (do not dispose). */
export function edgePadded(images: Tensor4D): Tensor4D {
  if (shared === null) return pad(images);
  let padded = shared.get(images);
  if (padded === undefined || padded.isDisposed) {
    padded = tf.keep(pad(images));
    shared.set(images, padded);
  }
  return padded;
}

/** Runs `run` with padded crop sources shared and frees them afterwards (nested calls share the outer scope). */
export function sharePadding<T>(run: () => T): T {
  if (shared !== null) return run();
  shared = new Map();
  try {
    return run();
  } finally {
    for (const t of shared.values()) t.dispose();
    shared = null;
  }
}
