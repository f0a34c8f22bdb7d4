/** Checks of a {@link ViewRequest} (views cut at decode time). */
import { argumentError, assertInteger } from '@contrastive/core';
import type { ViewRequest } from './types';

function assertPositiveRange(fn: string, argument: string, range: unknown, max = Infinity): void {
  const ok =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    range[0] > 0 &&
    range[0] <= range[1] &&
    range[1] <= max;
  if (!ok) {
    const upper = Number.isFinite(max) ? ` <= ${max}` : '';
    throw argumentError('OUT_OF_RANGE', fn, argument, `a [low, high] pair with 0 < low <= high${upper}`, JSON.stringify(range));
  }
}

/** Throws OUT_OF_RANGE / INVALID_ARGUMENT naming the first bad field of `request`. */
export function checkViewRequest(fn: string, request: ViewRequest): void {
  if (typeof request !== 'object' || request === null) {
    throw argumentError('INVALID_ARGUMENT', fn, 'request', 'an object { count, size, scale, ratio, seed, epoch }', String(request));
  }
  assertInteger(fn, 'request.count', request.count, 1);
  if (!Array.isArray(request.size) || request.size.length !== 2) {
    throw argumentError('INVALID_ARGUMENT', fn, 'request.size', '[height, width]', JSON.stringify(request.size));
  }
  assertInteger(fn, 'request.size', request.size[0], 1);
  assertInteger(fn, 'request.size', request.size[1], 1);
  assertPositiveRange(fn, 'request.scale', request.scale, 1);
  assertPositiveRange(fn, 'request.ratio', request.ratio);
  assertInteger(fn, 'request.seed', request.seed);
  assertInteger(fn, 'request.epoch', request.epoch, 0);
}
