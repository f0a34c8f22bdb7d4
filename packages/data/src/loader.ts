/**
 * The training loader: seeded shuffle per epoch, batching, drop-last, and
 * read-ahead of the next batches (file reads and image decoding run while the
 * current batch trains). Tensors are created only when a batch is handed
 * out; batches waiting in the queue are uint8 typed arrays (1 byte a pixel),
 * so the queue stays small and abandoning an epoch leaks nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RANDOM_RESIZED_CROP_DEFAULTS } from '@contrastive/augment';
import { argumentError, assertInteger, assertOneOf } from '@contrastive/core';
import { epochOrder } from './epoch-order';
import { widenIntoHeap } from './heap-pixels';
import { createPixelStaging, widenPixels, type PixelStaging } from './host-pixels';
import { uploadPackedBytes } from './packed-bytes';
import type { Dataset, ImageBatch, ViewDataset, ViewRequest } from './types';
import { checkViewRequest } from './view-request';

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
  /**
   * Batches read ahead of the one being trained on (queue depth); each is
   * requested whole as soon as it enters the queue. Default 4.
   */
  prefetch?: number;
  /**
   * `'float32'`: pixels divided by 255, in [0, 1] (torchvision `ToTensor`);
   * `'int32'`: raw 0..255 (tfjs has no uint8 dtype). Default `'float32'`.
   */
  dtype?: LoaderDtype;
  /**
   * How pixels reach the backend. `'bytes'`: packed three to a 32-bit word and
   * widened on the device (a quarter of the transfer of float32; for GPU
   * backends); `'typed'`: widened on the host to the tensor's dtype (for the
   * cpu and wasm backends, whose "device" is host memory). `'auto'` (default):
   * `'typed'` on cpu and wasm, `'bytes'` on every other backend.
   */
  upload?: LoaderUpload;
  /**
   * Cut RandomResizedCrop views at decode time (an ImageFolder's
   * `getViews`): `count` crops of every image drawn on its full size, each
   * resized to `size`. `images` then holds `[count * n, H, W, C]`, view-major.
   * The crops of an image depend only on (`seed`, epoch, its dataset index).
   * Default: none (`images` are the dataset's `get`).
   */
  views?: LoaderViews;
}

/** See {@link LoaderOptions.views}; `scale`/`ratio` default to torchvision's (0.08, 1) and (3/4, 4/3). */
export interface LoaderViews {
  readonly count: number;
  readonly size: number | readonly [number, number];
  readonly scale?: readonly [number, number];
  readonly ratio?: readonly [number, number];
  /** Seed of the crops. Default: the loader's seed. */
  readonly seed?: number;
}

/** See {@link LoaderOptions.upload}. */
export type LoaderUpload = 'auto' | 'bytes' | 'typed';

/** Defaults of {@link createLoader}. */
export const LOADER_DEFAULTS: Readonly<Required<Omit<LoaderOptions, 'views'>>> = Object.freeze({
  batchSize: 256,
  shuffle: true,
  seed: 0,
  dropLast: false,
  prefetch: 4,
  dtype: 'float32',
  upload: 'auto',
});

/** One batch. The caller owns and disposes `images` and `labels`. */
export interface LoaderBatch {
  /**
   * `[n, H, W, C]` NHWC, float32 in [0, 1] or int32 in 0..255; with the
   * loader's `views`, `[views * n, H, W, C]`: rows `v * n ..` are view v.
   */
  readonly images: tf.Tensor4D;
  /** Views per image in `images` (1 without the loader's `views`). */
  readonly views: number;
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
  readonly views: number;
}

/** Backends whose tensors live in host memory: widening on the host costs no transfer. */
const HOST_BACKENDS = new Set(['cpu', 'wasm']);

/** Backends that copy a new tensor's values into their own memory, so the host array can be reused. */
const COPYING_BACKENDS = new Set(['wasm']);

/**
 * NHWC tensor of uint8 pixels. `'typed'`: widened on the host in one pass
 * ({@link widenPixels}: float32 `x / 255` from a table, torchvision
 * `ToTensor`), on wasm straight into the new tensor's heap memory
 * ({@link widenIntoHeap}; into `staging`'s reused array when the backend
 * lacks the methods); `'bytes'`: packed and
 * widened on the device, the division by 255 a device op.
 */
function toImages(
  pixels: Uint8Array,
  shape: ImageBatch['shape'],
  dtype: LoaderDtype,
  upload: LoaderUpload,
  staging: PixelStaging,
): tf.Tensor4D {
  const [n, h, w, c] = shape;
  const backend = tf.getBackend();
  const bytes = upload === 'bytes' || (upload === 'auto' && !HOST_BACKENDS.has(backend));
  if (!bytes) {
    const copies = COPYING_BACKENDS.has(backend);
    const inHeap = copies ? widenIntoHeap(pixels, [n, h, w, c], dtype) : undefined;
    if (inHeap !== undefined) return inHeap;
    const host = widenPixels(pixels, staging.take(dtype, pixels.length, copies));
    return tf.tensor4d(host, [n, h, w, c], dtype);
  }
  return tf.tidy(() => {
    const values = tf.reshape(uploadPackedBytes(pixels), [n, h, w, c]) as tf.Tensor4D;
    return dtype === 'int32' ? tf.cast(values, 'int32') : tf.div(values, 255);
  });
}

/** Creates a loader; validation happens here, once. */
export function createLoader(dataset: Dataset, options: LoaderOptions = {}): DataLoader {
  const fn = 'createLoader';
  const o = { ...LOADER_DEFAULTS, ...options };
  assertInteger(fn, 'batchSize', o.batchSize, 1);
  assertInteger(fn, 'seed', o.seed);
  assertInteger(fn, 'prefetch', o.prefetch, 0);
  assertOneOf(fn, 'dtype', o.dtype, ['float32', 'int32']);
  assertOneOf(fn, 'upload', o.upload, ['auto', 'bytes', 'typed']);
  const n = dataset.length;
  if (!Number.isInteger(n) || n < 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'dataset', 'a dataset with a non-negative integer length', String(n));
  }
  const stepsPerEpoch = o.dropLast ? Math.floor(n / o.batchSize) : Math.ceil(n / o.batchSize);
  const order = (epoch: number): Int32Array => epochOrder(n, epoch, { seed: o.seed, shuffle: o.shuffle });

  const views = o.views === undefined ? undefined : viewRequest(fn, dataset, o.views, o.seed);
  // The host array pixels are widened into: one batch's worth, reused by every epoch where the backend copies it.
  const staging = createPixelStaging();
  const prepare = async (e: number, ids: Int32Array, step: number): Promise<Prepared> =>
    views === undefined
      ? { ...(await dataset.get(ids)), step, views: 1 }
      : { ...(await (dataset as ViewDataset).getViews(ids, { ...views, epoch: e })), step };

  async function* epoch(e: number, opts: { startStep?: number } = {}): AsyncGenerator<LoaderBatch, void, undefined> {
    assertInteger('DataLoader.epoch', 'epoch', e, 0);
    const startStep = opts.startStep ?? 0;
    assertInteger('DataLoader.epoch', 'startStep', startStep, 0, stepsPerEpoch);
    const ids = order(e);
    const pending: Promise<Prepared>[] = [];
    let next = startStep;
    const start = (): void => {
      const step = next++;
      const p = prepare(e, ids.subarray(step * o.batchSize, Math.min((step + 1) * o.batchSize, n)), step);
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
          images: toImages(ready.images, ready.shape, o.dtype, o.upload, staging),
          labels: tf.tensor1d(ready.labels, 'int32'),
          indices: ready.indices,
          views: ready.views,
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

/** The per-loader part of a {@link ViewRequest}, checked; throws INVALID_ARGUMENT for a dataset without `getViews`. */
function viewRequest(fn: string, dataset: Dataset, views: LoaderViews, seed: number): Omit<ViewRequest, 'epoch'> {
  if (typeof (dataset as Partial<ViewDataset>).getViews !== 'function') {
    throw argumentError('INVALID_ARGUMENT', fn, 'views', 'a dataset that decodes views (an ImageFolder)', `dataset '${dataset.name}'`);
  }
  const request = {
    count: views.count,
    size: (typeof views.size === 'number' ? [views.size, views.size] : views.size) as readonly [number, number],
    scale: views.scale ?? RANDOM_RESIZED_CROP_DEFAULTS.scale,
    ratio: views.ratio ?? RANDOM_RESIZED_CROP_DEFAULTS.ratio,
    seed: views.seed ?? seed,
  };
  checkViewRequest(fn, { ...request, epoch: 0 });
  return request;
}
