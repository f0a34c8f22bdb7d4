/**
 * Which k-means path runs: `'device'` (device-k-means.ts: rows, assignment
 * and segment sums stay on the device, one int32 pair read per iteration)
 * or `'host'` (k-means.ts with bounded-lloyd.ts: the rows read back once,
 * Yinyang-bounded Lloyd in float64 JavaScript with score blocks from the
 * device).
 *
 * `'auto'` picks the device path on webgpu, webgl and tensorflow (a GPU, or
 * native multi-threaded TensorFlow: reading N x k score blocks back would
 * dominate) and the host path on wasm and cpu, where the device and the
 * host share one CPU and the bounds skip most of the dense work: measured
 * in tools/bench (kmeans-faiss.ts, 100k x 128, k = 1000, 20 iterations,
 * one wasm thread), the device path's dense Lloyd is several times slower
 * than the bounded host path there (figures in this package's README).
 */
import * as tf from '@tensorflow/tfjs-core';

export type KMeansPath = 'auto' | 'device' | 'host';
export const K_MEANS_PATHS: readonly KMeansPath[] = ['auto', 'device', 'host'];

/** Backends on which `'auto'` runs the device path. */
export const DEVICE_PATH_BACKENDS: ReadonlySet<string> = new Set(['webgpu', 'webgl', 'tensorflow']);

/** The path `path` stands for on the active backend. */
export function resolvePath(path: KMeansPath): 'device' | 'host' {
  if (path !== 'auto') return path;
  return DEVICE_PATH_BACKENDS.has(tf.getBackend()) ? 'device' : 'host';
}
