/** Shared argument checks of the augmentation ops. */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertInRange,
  assertRank,
  describeShape,
} from '@contrastive/core';

/** Checks a batch of images: rank 4 NHWC, float32, 1 or 3 channels, non-empty. */
export function assertImages(fn: string, images: Tensor, argument = 'images'): asserts images is Tensor4D {
  assertRank(fn, argument, images, 4);
  assertDtype(fn, argument, images, 'float32');
  const [n, h, w, c] = images.shape as [number, number, number, number];
  if (c !== 1 && c !== 3) {
    throw argumentError('SHAPE_MISMATCH', fn, argument, 'NHWC with 1 or 3 channels', describeShape(images.shape));
  }
  if (n === 0 || h === 0 || w === 0) {
    throw argumentError('SHAPE_MISMATCH', fn, argument, 'a non-empty batch', describeShape(images.shape));
  }
}

/** Checks a probability option. */
export function assertProbability(fn: string, argument: string, p: unknown): asserts p is number {
  assertInRange(fn, argument, p, { min: 0, max: 1 });
}

/** Checks a `[low, high]` range option with `min <= low <= high <= max`. */
export function assertRange(
  fn: string,
  argument: string,
  range: unknown,
  bounds: { min?: number; max?: number; minExclusive?: boolean } = {},
): asserts range is readonly [number, number] {
  const { min = -Infinity, max = Infinity, minExclusive = false } = bounds;
  const ok =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (minExclusive ? range[0] > min : range[0] >= min) &&
    range[0] <= range[1] &&
    range[1] <= max;
  if (!ok) {
    const lo = minExclusive ? `> ${min}` : `>= ${min}`;
    throw argumentError(
      'OUT_OF_RANGE',
      fn,
      argument,
      `a [low, high] pair with ${lo}, low <= high${Number.isFinite(max) ? ` <= ${max}` : ''}`,
      JSON.stringify(range),
    );
  }
}

/**
 * Expands a per-sample parameter (`number` for the whole batch, or one per
 * sample) to an array of length `batch`, checking each value.
 */
export function perSample(
  fn: string,
  argument: string,
  values: number | readonly number[],
  batch: number,
  check: (value: number) => boolean,
  expected: string,
): number[] {
  const list = typeof values === 'number' ? new Array<number>(batch).fill(values) : [...values];
  if (list.length !== batch) {
    throw argumentError('SHAPE_MISMATCH', fn, argument, `one value per sample (${batch})`, `${list.length} values`);
  }
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) {
      throw argumentError('OUT_OF_RANGE', fn, argument, expected, String(v));
    }
  }
  return list;
}

/** Parses an output size option: `n` means `n x n`. */
export function toSize(fn: string, argument: string, size: unknown): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)
  ) {
    throw argumentError('OUT_OF_RANGE', fn, argument, 'a positive integer or [height, width]', JSON.stringify(size));
  }
  return [pair[0] as number, pair[1] as number];
}
