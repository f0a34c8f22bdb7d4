import type { Tensor } from '@tensorflow/tfjs-core';
import { assertDtype, assertNonEmpty, assertRank, assertSameShape } from '@contrastive/core';

/** Checks two row-aligned float32 views [B, d] with B >= 1 (internal). */
export function checkViews(fn: string, z1: Tensor, z2: Tensor): void {
  assertRank(fn, 'z1', z1, 2);
  assertRank(fn, 'z2', z2, 2);
  assertDtype(fn, 'z1', z1, 'float32');
  assertDtype(fn, 'z2', z2, 'float32');
  assertSameShape(fn, ['z1', 'z2'], z1, z2);
  assertNonEmpty(fn, 'z1', z1, 0);
  assertNonEmpty(fn, 'z1', z1, 1);
}
