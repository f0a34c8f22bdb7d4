/**
 * Argument checks for public functions. They read tensor metadata only
 * (rank, shape, dtype) and option values, so they cost nothing on any backend.
 */
import type { DataType, Tensor } from '@tensorflow/tfjs-core';
import { argumentError, ContrastiveError } from './errors';

/** `[2,3]`-style rendering of a shape for messages. */
export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return typeof value;
}

/** Throws `RANK_MISMATCH` unless `t` has one of the given ranks. */
export function assertRank(fn: string, argument: string, t: Tensor, ...ranks: number[]): void {
  if (!ranks.includes(t.rank)) {
    const expected = ranks.length === 1 ? `rank ${ranks[0]}` : `rank ${ranks.join(' or ')}`;
    throw argumentError(
      'RANK_MISMATCH',
      fn,
      argument,
      `a tensor of ${expected}`,
      `rank ${t.rank} with shape ${describeShape(t.shape)}`,
    );
  }
}

/**
 * Throws `SHAPE_MISMATCH` unless `t.shape` matches `expected`; a `null`
 * entry matches any size.
 */
export function assertShape(
  fn: string,
  argument: string,
  t: Tensor,
  expected: readonly (number | null)[],
): void {
  const ok =
    t.rank === expected.length && expected.every((size, i) => size === null || size === t.shape[i]);
  if (!ok) {
    const want = `[${expected.map((s) => (s === null ? '*' : String(s))).join(',')}]`;
    throw argumentError('SHAPE_MISMATCH', fn, argument, `of shape ${want}`, describeShape(t.shape));
  }
}

/** Throws `SHAPE_MISMATCH` unless `b` has exactly the shape of `a`. */
export function assertSameShape(
  fn: string,
  names: readonly [string, string],
  a: Tensor,
  b: Tensor,
): void {
  const same = a.rank === b.rank && a.shape.every((size, i) => size === b.shape[i]);
  if (!same) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      names[1],
      `of the shape of '${names[0]}' ${describeShape(a.shape)}`,
      describeShape(b.shape),
    );
  }
}

/** Throws `SHAPE_MISMATCH` unless axis `axis` of `t` has size `size`. */
export function assertAxisSize(
  fn: string,
  argument: string,
  t: Tensor,
  axis: number,
  size: number,
  what = `size ${size} on axis ${axis}`,
): void {
  if (t.shape[axis] !== size) {
    throw argumentError('SHAPE_MISMATCH', fn, argument, `of ${what}`, describeShape(t.shape));
  }
}

/** Throws `SHAPE_MISMATCH` when axis `axis` of `t` is empty. */
export function assertNonEmpty(fn: string, argument: string, t: Tensor, axis = 0): void {
  if (t.rank <= axis || t.shape[axis] === 0) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      argument,
      `non-empty on axis ${axis}`,
      describeShape(t.shape),
    );
  }
}

/** Throws `DTYPE_MISMATCH` unless `t` has one of the given dtypes. */
export function assertDtype(fn: string, argument: string, t: Tensor, ...dtypes: DataType[]): void {
  if (!dtypes.includes(t.dtype)) {
    throw argumentError(
      'DTYPE_MISMATCH',
      fn,
      argument,
      `of dtype ${dtypes.join(' or ')}`,
      t.dtype,
    );
  }
}

/** Throws `OUT_OF_RANGE` unless `value` is a finite number greater than 0. */
export function assertPositive(fn: string, argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw argumentError('OUT_OF_RANGE', fn, argument, 'a finite number > 0', describeValue(value));
  }
}

/** Throws `OUT_OF_RANGE` unless `value` is a finite number >= 0. */
export function assertNonNegative(
  fn: string,
  argument: string,
  value: unknown,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw argumentError('OUT_OF_RANGE', fn, argument, 'a finite number >= 0', describeValue(value));
  }
}

/** Throws `OUT_OF_RANGE` unless `value` is a finite number in the interval. */
export function assertInRange(
  fn: string,
  argument: string,
  value: unknown,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean },
): asserts value is number {
  const { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false } = range;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    (maxExclusive ? value < max : value <= max);
  if (!ok) {
    const lo = Number.isFinite(min) ? `${minExclusive ? '(' : '['}${min}` : '(-inf';
    const hi = Number.isFinite(max) ? `${max}${maxExclusive ? ')' : ']'}` : 'inf)';
    throw argumentError('OUT_OF_RANGE', fn, argument, `a number in ${lo}, ${hi}`, describeValue(value));
  }
}

/** Throws `OUT_OF_RANGE` unless `value` is an integer in `[min, max]`. */
export function assertInteger(
  fn: string,
  argument: string,
  value: unknown,
  min = -Infinity,
  max = Infinity,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      Number.isFinite(min) && Number.isFinite(max)
        ? ` in [${min}, ${max}]`
        : Number.isFinite(min)
          ? ` >= ${min}`
          : Number.isFinite(max)
            ? ` <= ${max}`
            : '';
    throw argumentError('OUT_OF_RANGE', fn, argument, `an integer${range}`, describeValue(value));
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The entry of `options` nearest to `name` by edit distance. */
export function nearestName(name: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = editDistance(name.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = option;
    }
  }
  return best;
}

/**
 * Throws `UNKNOWN_NAME` unless `value` is one of `options`; the message lists
 * the valid names and the nearest one.
 */
export function assertOneOf<T extends string>(
  fn: string,
  argument: string,
  value: unknown,
  options: readonly T[],
): asserts value is T {
  if (typeof value === 'string' && (options as readonly string[]).includes(value)) return;
  const near = typeof value === 'string' ? nearestName(value, options) : undefined;
  const hint = near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
  throw new ContrastiveError(
    'UNKNOWN_NAME',
    `${fn}: '${argument}' must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}; got ${describeValue(value)}${hint}`,
    { fn, argument },
  );
}
