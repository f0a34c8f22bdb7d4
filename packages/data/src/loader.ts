/**
 * The training loader: seeded shuffle per epoch, batching, drop-last, and
 * read-ahead of the next batches (file reads and image decoding run while the
 * current batch trains). Tensors are created only when a batch is handed
 * out; batches waiting in the queue are uint8 typed arrays (1 byte a pixel),
 * so the queue stays small and abandoning an epoch leaks nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { argumentError, assertInteger, assertOneOf } from '@contrastive/core';
import { epochOrder } from './epoch-order';
import type { Dataset, ImageBatch } from './types';

/** Pixel type of {@link LoaderBatch.images}. */
export type LoaderDtype = 'float32' | 'int32';

/** Options of {@link createLoader}. */
export interface LoaderOptions {
  /** Images per batch. Default 256 (SimCLR CIFAR-10 setup uses 512; MoCo 256). */
  batchSize?: number;
  /** Shuffle each epoch (seeded). Default true. */
  shuffle?: boolean;
  /** Seed of the per-epoch permutations. Default 0. */
  seed?: number;
  /** Leave out the last, smaller batch of an epoch. Default false. */
  dropLast?: boolean;
  /** Batches read ahead of the one being trained on (queue depth). Default 2. */
  prefetch?: number;
  /**
   * `'float32'`: pixels divided by 255, in [0, 1] (torchvision `ToTensor`);
   * `'int32'`: raw 0..255 (tfjs has no uint8 dtype). Default `'float32'`.
   */
  dtype?: LoaderDtype;
}

/** Defaults of {@link createLoader}. */
export const LOADER_DEFAULTS: Readonly<Required<LoaderOptions>> = Object.freeze({
  batchSize: 256,
  shuffle: true,
  seed: 0,
  dropLast: false,
  prefetch: 2,
  dtype: 'float32',
});

/** One batch. The caller owns and disposes `images` and `labels`. */
export interface LoaderBatch {
  /** `[n, H, W, C]` NHWC, float32 in [0, 1] or int32 in 0..255. */
  readonly images: tf.Tensor4D;
  /** `[n]` int32; -1 marks an unlabelled image. */
  readonly labels: tf.Tensor1D;
  /** Dataset index of each image (PCL maps samples to clusters with these). */
  readonly indices: Int32Array;
  readonly epoch: number;
  /** Batch number within the epoch, from 0. */
  readonly step: number;
}

/** A batching loader over a {@link Dataset}. */
export interface DataLoader {
  readonly dataset: Dataset;
  readonly batchSize: number;
  /** Batches per epoch (floor with dropLast, else ceil). */
  readonly stepsPerEpoch: number;
  /** Dataset indices in epoch `epoch`'s order. */
  order(epoch: number): Int32Array;
  /**
   * Batches of epoch `epoch`, starting at `startStep` (to resume a run from
   * (epoch, step); the batches are the same as an uninterrupted epoch's).
   */
  epoch(epoch: number, options?: { startStep?: number }): AsyncGenerator<LoaderBatch, void, undefined>;
}

/** A batch waiting in the read-ahead queue: uint8 pixels, no tensors yet. */
interface Prepared extends ImageBatch {
  readonly step: number;
}

/**
 * NHWC tensor of uint8 pixels: widened natively (no JS loop); for float32 the
 * division by 255 (torchvision `ToTensor`) runs on the active backend.
 */
function toImages(pixels: Uint8Array, shape: ImageBatch['shape'], dtype: LoaderDtype): tf.Tensor4D {
  const [n, h, w, c] = shape;
  if (dtype === 'int32') return tf.tensor4d(new Int32Array(pixels), [n, h, w, c], 'int32');
  return tf.tidy(() => tf.div(tf.tensor4d(new Float32Array(pixels), [n, h, w, c], 'float32'), 255));
}

/** Creates a loader; validation happens here, once. */
export function createLoader(dataset: Dataset, options: LoaderOptions = {}): DataLoader {
  const fn = 'createLoader';
  const o = { ...LOADER_DEFAULTS, ...options };
  assertInteger(fn, 'batchSize', o.batchSize, 1);
  assertInteger(fn, 'seed', o.seed);
  assertInteger(fn, 'prefetch', o.prefetch, 0);
  assertOneOf(fn, 'dtype', o.dtype, ['float32', 'int32']);
  const n = dataset.length;
  if (!Number.isInteger(n) || n < 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'dataset', 'a dataset with a non-negative integer length', String(n));
  }
  const stepsPerEpoch = o.dropLast ? Math.floor(n / o.batchSize) : Math.ceil(n / o.batchSize);
  const order = (epoch: number): Int32Array => epochOrder(n, epoch, { seed: o.seed, shuffle: o.shuffle });

  const prepare = async (ids: Int32Array, step: number): Promise<Prepared> => ({ ...(await dataset.get(ids)), step });

  async function* epoch(e: number, opts: { startStep?: number } = {}): AsyncGenerator<LoaderBatch, void, undefined> {
    assertInteger('DataLoader.epoch', 'epoch', e, 0);
    const startStep = opts.startStep ?? 0;
    assertInteger('DataLoader.epoch', 'startStep', startStep, 0, stepsPerEpoch);
    const ids = order(e);
    const pending: Promise<Prepared>[] = [];
    let next = startStep;
    const start = (): void => {
      const step = next++;
      const p = prepare(ids.subarray(step * o.batchSize, Math.min((step + 1) * o.batchSize, n)), step);
      p.catch(() => undefined); // handled when awaited; avoids unhandled rejections after an early exit
      pending.push(p);
    };
    try {
      for (;;) {
        // In flight: the batch about to be handed out plus `prefetch` more.
        while (next < stepsPerEpoch && pending.length <= o.prefetch) start();
        if (pending.length === 0) break;
        const ready = await pending.shift()!;
        const batch: LoaderBatch = {
          images: toImages(ready.images, ready.shape, o.dtype),
          labels: tf.tensor1d(ready.labels, 'int32'),
          indices: ready.indices,
          epoch: e,
          step: ready.step,
        };
        yield batch;
      }
    } finally {
      pending.length = 0;
    }
  }

  return { dataset, batchSize: o.batchSize, stepsPerEpoch, order, epoch };
}
