/**
 * A dataset whose pixels and labels are already in memory (IDX files, the
 * embedded Fashion-MNIST, or user arrays).
 */
import { argumentError } from '@contrastive/core';
import { checkIndices } from './errors';
import type { Dataset, ImageBatch, ImageShape } from './types';

/** Options of {@link createInMemoryDataset}. */
export interface InMemoryDatasetOptions {
  /** Dataset name. Default `'in-memory'`. */
  name?: string;
  /** Class names; default `'0'..'<numClasses-1>'`. */
  classNames?: readonly string[];
  /** Number of classes; default `classNames.length`, else max label + 1. */
  numClasses?: number;
}

/**
 * Wraps `images` (N x H x W x C uint8, HWC, borrowed: not copied) and
 * `labels` (N int32, -1 = unlabelled) as a {@link Dataset}.
 */
export function createInMemoryDataset(
  images: Uint8Array,
  labels: Int32Array,
  imageShape: ImageShape,
  options: InMemoryDatasetOptions = {},
): Dataset {
  const fn = 'createInMemoryDataset';
  const [h, w, c] = imageShape;
  const pixels = h * w * c;
  if (!(pixels > 0) || ![h, w, c].every((v) => Number.isInteger(v))) {
    throw argumentError('INVALID_ARGUMENT', fn, 'imageShape', 'positive integers [H, W, C]', `[${imageShape.join(',')}]`);
  }
  if (images.length !== labels.length * pixels) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      'images',
      `labels.length * H * W * C = ${labels.length * pixels} bytes`,
      `${images.length} bytes`,
    );
  }
  let maxLabel = -1;
  for (let i = 0; i < labels.length; i++) maxLabel = Math.max(maxLabel, labels[i]!);
  const numClasses = options.numClasses ?? options.classNames?.length ?? maxLabel + 1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l < -1 || l >= numClasses) {
      throw argumentError('OUT_OF_RANGE', fn, 'labels', `in [-1, ${numClasses})`, `${l} at index ${i}`);
    }
  }
  const classNames = options.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (classNames.length !== numClasses) {
    throw argumentError('SHAPE_MISMATCH', fn, 'classNames', `${numClasses} names`, `${classNames.length}`);
  }
  const length = labels.length;
  const name = options.name ?? 'in-memory';
  return {
    name,
    length,
    numClasses,
    classNames,
    imageShape: [h, w, c],
    async get(indices: ArrayLike<number>): Promise<ImageBatch> {
      checkIndices(`${name}.get`, indices, length);
      const n = indices.length;
      const out = new Uint8Array(n * pixels);
      const outLabels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = indices[i]!;
        out.set(images.subarray(k * pixels, (k + 1) * pixels), i * pixels);
        outLabels[i] = labels[k]!;
      }
      return { images: out, labels: outLabels, indices: Int32Array.from(indices), shape: [n, h, w, c] };
    },
    async labels(): Promise<Int32Array> {
      return labels.slice();
    },
  };
}
