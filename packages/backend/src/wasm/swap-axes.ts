/**
 * Block transposes in JavaScript on the wasm heap: `[n, r, c, d] -> [n, c, r, d]`.
 *
 * The wasm backend's `Transpose` is a scalar loop that strides through one
 * side of the copy (16 ms for a 4096x128 float32 matrix on the build machine,
 * 90 ms for 16384x128); a cache-blocked copy over 16x16 tiles, run by V8's JIT
 * on views of the same heap, is 2-10x faster and avoids the cache-set
 * conflicts of power-of-two row strides. Elements are copied as 32-bit
 * integers, so float32 bit patterns (NaN payloads included) are preserved.
 */

import { swapMiddleAxesPass } from './heap-passes';

/** Tile edge of the blocked copy (16 x 16 x 4 bytes keeps both tiles in L1). */
export const SWAP_TILE = 16;

/**
 * Writes `dst[b, j, i, k] = src[b, i, j, k]` for `src: [n, r, c, d]`
 * (row-major, both views hold `n*r*c*d` elements), in one piece on the
 * calling thread ({@link swapMiddleAxesPass}; the Transpose kernel splits it
 * between the heap workers).
 */
export function swapMiddleAxes(src: Int32Array, dst: Int32Array, n: number, r: number, c: number, d: number): void {
  swapMiddleAxesPass(src, dst, [n, r, c, d, SWAP_TILE], 0, 1);
}

/**
 * Reduces a permutation to the canonical `[n, r, c, d] -> [n, c, r, d]` form:
 * size-1 axes are dropped and runs of consecutive axes merged. Returns the
 * four extents, or `undefined` when the permutation is not a swap of two
 * adjacent axis groups (or is the identity).
 */
export function asMiddleSwap(shape: readonly number[], perm: readonly number[]): [number, number, number, number] | undefined {
  const kept = perm.filter((p) => shape[p] !== 1);
  // Merge runs p, p+1, ... (over the kept axes, in input order) into groups.
  const inputOrder = [...kept].sort((a, b) => a - b);
  const groupOf = new Map<number, number>();
  const sizes: number[] = [];
  for (let i = 0; i < inputOrder.length; i++) {
    const axis = inputOrder[i] as number;
    const prevOut = i > 0 ? kept.indexOf(inputOrder[i - 1] as number) : -2;
    if (i > 0 && kept.indexOf(axis) === prevOut + 1) {
      sizes[sizes.length - 1] = (sizes[sizes.length - 1] as number) * (shape[axis] as number);
    } else {
      sizes.push(shape[axis] as number);
    }
    groupOf.set(axis, sizes.length - 1);
  }
  const groupPerm: number[] = [];
  for (const axis of kept) {
    const g = groupOf.get(axis) as number;
    if (groupPerm[groupPerm.length - 1] !== g) groupPerm.push(g);
  }
  const key = groupPerm.join(',');
  const s = sizes;
  if (key === '1,0') return [1, s[0] as number, s[1] as number, 1];
  if (key === '0,2,1') return [s[0] as number, s[1] as number, s[2] as number, 1];
  if (key === '1,0,2') return [1, s[0] as number, s[1] as number, s[2] as number];
  if (key === '0,2,1,3') return [s[0] as number, s[1] as number, s[2] as number, s[3] as number];
  return undefined;
}
