/**
 * The FIFO queue of negative keys of MoCo, PCL and CACR (spec §0.4).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D, Variable } from '@tensorflow/tfjs-core';
import { argumentError, assertDtype, assertInteger, assertRank, assertShape, createRng, describeShape, l2Normalize } from '@contrastive/core';
import { assertAlive } from './disposed';

/** Options of {@link createFeatureQueue}. */
export interface FeatureQueueOptions {
  /** Number of stored keys K. Required. MoCo ImageNet 65536, MoCo CIFAR demo 4096, PCL 16384. */
  size: number;
  /** Key dimension. Required (128 in every paper setup). */
  dim: number;
  /** Seed of the initial Gaussian noise. Default 0. */
  seed?: number;
  /**
   * L2-normalise keys on enqueue. Default true. MoCo enqueues already
   * normalised keys, for which this changes values by float32 rounding only.
   */
  normalize?: boolean;
}

/** Defaults of {@link FeatureQueueOptions}. */
export const FEATURE_QUEUE_DEFAULTS = Object.freeze({ seed: 0, normalize: true });

/** Checkpoint state of a {@link FeatureQueue}. */
export interface FeatureQueueState {
  /** `[size, dim]` float32. */
  queue: Tensor2D;
  /** Row the next key is written to, in [0, size). */
  pointer: number;
}

/** A FIFO of `size` keys of `dim` features. */
export interface FeatureQueue {
  readonly size: number;
  readonly dim: number;
  /** Row the next enqueued key goes to. */
  readonly pointer: number;
  /**
   * The stored keys `[size, dim]`, as a snapshot owned by the caller (dispose
   * it). It shares memory with the queue (no copy) and keeps its values after
   * later enqueues. Rows are in storage order, not age order; use them as
   * constants (they carry no gradient).
   */
  negatives(): Tensor2D;
  /**
   * The only mutation: writes the rows of `keys` `[batch, dim]` (borrowed) at
   * rows pointer, pointer + 1, ... modulo size, then advances the pointer by
   * batch modulo size. When size is not a multiple of batch the write wraps
   * around to row 0; when batch > size only the last size keys remain, as if
   * written one by one. Call it after computing the loss (MoCo order).
   */
  enqueue(keys: Tensor2D): void;
  /** Copy of the state (caller disposes `queue`). */
  getState(): FeatureQueueState;
  /** Restores a state (borrowed; values are copied). */
  setState(state: FeatureQueueState): void;
  /** Frees the queue; later calls throw `DISPOSED`. */
  dispose(): void;
}

/** The new queue contents after writing `keys` from row `pointer` with wrap-around. */
function written(queue: Tensor2D, keys: Tensor2D, pointer: number): Tensor2D {
  const size = queue.shape[0];
  const batch = keys.shape[0];
  const kept = batch > size ? tf.slice(keys, [batch - size, 0], [size, -1]) : keys;
  const n = kept.shape[0];
  const start = (pointer + (batch - n)) % size;
  const parts: Tensor2D[] = [];
  if (start + n <= size) {
    if (start > 0) parts.push(tf.slice(queue, [0, 0], [start, -1]));
    parts.push(kept);
    if (start + n < size) parts.push(tf.slice(queue, [start + n, 0], [size - start - n, -1]));
  } else {
    const first = size - start; // rows written at the end of the queue
    parts.push(tf.slice(kept, [first, 0], [n - first, -1]));
    if (start > n - first) parts.push(tf.slice(queue, [n - first, 0], [start - (n - first), -1]));
    parts.push(tf.slice(kept, [0, 0], [first, -1]));
  }
  return parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, 0);
}

/**
 * Creates a queue initialised with standard Gaussian rows scaled to unit
 * length (MoCo `builder.py`: `randn` then normalise), seeded.
 *
 * @example
 * const queue = createFeatureQueue({ size: 4096, dim: 128, seed: 0 });
 * const negatives = queue.negatives();
 * const loss = infoNceLoss(q, k, negatives, { temperature: 0.1 });
 * negatives.dispose();
 * queue.enqueue(k);
 */
export function createFeatureQueue(options: FeatureQueueOptions): FeatureQueue {
  const fn = 'createFeatureQueue';
  const { size, dim } = options;
  assertInteger(fn, 'size', size, 1);
  assertInteger(fn, 'dim', dim, 1);
  const seed = options.seed ?? FEATURE_QUEUE_DEFAULTS.seed;
  assertInteger(fn, 'seed', seed);
  const normalize = options.normalize ?? FEATURE_QUEUE_DEFAULTS.normalize;
  if (typeof normalize !== 'boolean') throw argumentError('INVALID_ARGUMENT', fn, 'normalize', 'a boolean', String(normalize));

  // tfjs treats a falsy seed as "unseeded" (its global generator), so derive a non-zero one.
  const tfSeed = createRng(seed).seed() || 1;
  const storage: Variable = tf.tidy(() => tf.variable(l2Normalize(tf.randomNormal([size, dim], 0, 1, 'float32', tfSeed)), false));
  let pointer = 0;
  let disposed = false;

  return {
    size,
    dim,
    get pointer() {
      return pointer;
    },
    negatives(): Tensor2D {
      assertAlive(disposed, 'FeatureQueue.negatives');
      return tf.clone(storage) as Tensor2D;
    },
    enqueue(keys: Tensor2D): void {
      const name = 'FeatureQueue.enqueue';
      assertAlive(disposed, name);
      assertRank(name, 'keys', keys, 2);
      assertShape(name, 'keys', keys, [null, dim]);
      assertDtype(name, 'keys', keys, 'float32');
      if (keys.shape[0] === 0) throw argumentError('SHAPE_MISMATCH', name, 'keys', 'non-empty', describeShape(keys.shape));
      tf.tidy(() => {
        const rows = normalize ? l2Normalize(keys) : keys;
        storage.assign(written(storage as Tensor2D, rows, pointer));
      });
      pointer = (pointer + keys.shape[0]) % size;
    },
    getState(): FeatureQueueState {
      assertAlive(disposed, 'FeatureQueue.getState');
      return { queue: tf.clone(storage) as Tensor2D, pointer };
    },
    setState(state: FeatureQueueState): void {
      const name = 'FeatureQueue.setState';
      assertAlive(disposed, name);
      assertShape(name, 'state.queue', state.queue, [size, dim]);
      assertDtype(name, 'state.queue', state.queue, 'float32');
      assertInteger(name, 'state.pointer', state.pointer, 0, size - 1);
      tf.tidy(() => storage.assign(tf.clone(state.queue)));
      pointer = state.pointer;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      storage.dispose();
    },
  };
}
