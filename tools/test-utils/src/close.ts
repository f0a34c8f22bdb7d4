/**
 * Closeness checks for tests: shape first, then |a - e| <= atol + rtol * |e|
 * element-wise. NaN equals only NaN; an infinity equals only the same
 * infinity. Failures name the worst index, its values and the error.
 */
import type { Tensor } from '@tensorflow/tfjs-core';

export interface Tolerance {
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-4. */
  rtol?: number;
}

/** Nested number arrays, typed arrays, plain numbers or tfjs tensors. */
export type Numeric = Tensor | number | ArrayLike<number> | NestedNumbers;
export interface NestedNumbers extends ReadonlyArray<number | NestedNumbers> {}

interface Flat {
  shape: number[];
  values: ArrayLike<number>;
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dataSync' in value && 'shape' in value;
}

function flatten(value: Numeric): Flat {
  if (typeof value === 'number') return { shape: [], values: [value] };
  if (isTensor(value)) return { shape: [...value.shape], values: value.dataSync() as ArrayLike<number> };
  if (!Array.isArray(value)) return { shape: [value.length], values: value as ArrayLike<number> };
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values = (value as unknown[]).flat(Infinity) as number[];
  return { shape, values };
}

/** Returns a failure message, or undefined when `actual` is close to `expected`. */
export function closenessError(actual: Numeric, expected: Numeric, tolerance: Tolerance = {}): string | undefined {
  const { atol = 1e-5, rtol = 1e-4 } = tolerance;
  const a = flatten(actual);
  const e = flatten(expected);
  const sameShape = a.shape.length === e.shape.length && a.shape.every((s, i) => s === e.shape[i]);
  if (!sameShape) return `shape mismatch: actual [${a.shape}] vs expected [${e.shape}]`;
  let worst = -1;
  let worstExcess = 0;
  let failures = 0;
  for (let i = 0; i < e.values.length; i++) {
    const av = a.values[i]!;
    const ev = e.values[i]!;
    let excess: number;
    if (Number.isNaN(ev) || Number.isNaN(av)) excess = Number.isNaN(ev) && Number.isNaN(av) ? 0 : Infinity;
    else if (!Number.isFinite(ev) || !Number.isFinite(av)) excess = av === ev ? 0 : Infinity;
    else excess = Math.abs(av - ev) - (atol + rtol * Math.abs(ev));
    if (excess > 0) {
      failures++;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (worst < 0) return undefined;
  const av = a.values[worst]!;
  const ev = e.values[worst]!;
  return (
    `${failures} of ${e.values.length} values differ (atol ${atol}, rtol ${rtol}); worst at flat index ${worst}: ` +
    `actual ${av}, expected ${ev}, |diff| ${Math.abs(av - ev)}`
  );
}

/** Throws when `actual` is not close to `expected` (see {@link closenessError}). */
export function expectClose(actual: Numeric, expected: Numeric, tolerance: Tolerance = {}): void {
  const message = closenessError(actual, expected, tolerance);
  if (message !== undefined) throw new Error(message);
}
