/**
 * Metadata-only argument checks shared by the losses of this package
 * (rank, dtype, shape, option ranges). Internal; not exported.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertAxisSize,
  assertDtype,
  assertNonEmpty,
  assertPositive,
  assertRank,
  assertSameShape,
} from '@contrastive/core';

/** `t` must be a float32 matrix [rows >= minRows, dim >= 1]. */
export function checkEmbeddings(fn: string, name: string, t: Tensor, minRows = 1): void {
  assertRank(fn, name, t, 2);
  assertDtype(fn, name, t, 'float32');
  assertNonEmpty(fn, name, t, 0);
  assertNonEmpty(fn, name, t, 1);
  if (t.shape[0]! < minRows) {
    throw argumentError('SHAPE_MISMATCH', fn, name, `at least ${minRows} rows`, `[${t.shape.join(',')}]`);
  }
}

/** Two row-aligned views of the same batch: same shape, float32 matrices. */
export function checkViews(fn: string, names: readonly [string, string], a: Tensor, b: Tensor, minRows = 1): void {
  checkEmbeddings(fn, names[0], a, minRows);
  assertRank(fn, names[1], b, 2);
  assertDtype(fn, names[1], b, 'float32');
  assertSameShape(fn, names, a, b);
}

/** A matrix of other vectors (negatives, prototypes) in the space of `reference`. */
export function checkSameDim(fn: string, name: string, t: Tensor, dim: number): void {
  assertRank(fn, name, t, 2);
  assertDtype(fn, name, t, 'float32');
  assertNonEmpty(fn, name, t, 0);
  assertAxisSize(fn, name, t, 1, dim, `embedding dimension ${dim} on axis 1`);
}

/** A temperature must be a finite number > 0. */
export function checkTemperature(fn: string, name: string, value: unknown): asserts value is number {
  assertPositive(fn, name, value);
}

/** A boolean option. */
export function checkBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw argumentError('INVALID_ARGUMENT', fn, name, 'a boolean', String(value));
  }
}
