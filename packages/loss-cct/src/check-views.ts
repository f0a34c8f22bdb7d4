import type { Tensor } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertNonEmpty,
  assertRank,
  assertSameShape,
} from '@contrastive/core';

/**
 * Checks a list of at least two row-aligned float32 views [B, d] of the same
 * shape, B >= minRows (internal). `name` is the argument name, e.g. `views`.
 */
export function checkViews(fn: string, name: string, views: readonly Tensor[], minRows: number): void {
  if (!Array.isArray(views) || views.length < 2) {
    const got = Array.isArray(views) ? `${views.length} view(s)` : typeof views;
    throw argumentError('INVALID_ARGUMENT', fn, name, 'an array of at least 2 views', got);
  }
  views.forEach((v, i) => {
    assertRank(fn, `${name}[${i}]`, v, 2);
    assertDtype(fn, `${name}[${i}]`, v, 'float32');
    if (i > 0) assertSameShape(fn, [`${name}[0]`, `${name}[${i}]`], views[0]!, v);
  });
  assertNonEmpty(fn, `${name}[0]`, views[0]!, 0);
  assertNonEmpty(fn, `${name}[0]`, views[0]!, 1);
  if (views[0]!.shape[0] < minRows) {
    throw argumentError('SHAPE_MISMATCH', fn, `${name}[0]`, `of at least ${minRows} rows`, `[${views[0]!.shape.join(',')}]`);
  }
}
