/**
 * A small seeded random number generator for JavaScript-side choices
 * (shuffles, sampled indices, per-sample augmentation parameters, seeds
 * handed to tfjs random ops). xoshiro128** with a splitmix32 seeder:
 * fast, 128 bits of state, and its state can be saved in a checkpoint.
 */
import { argumentError } from './errors';
import { assertInteger } from './checks';

/** Saved state of a {@link Rng}: four unsigned 32-bit words. */
export type RngState = readonly [number, number, number, number];

/** A seeded random number generator; every method advances its state. */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** A fresh 31-bit integer seed, e.g. for a tfjs random op. */
  seed(): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** k distinct integers drawn uniformly from [0, n), in draw order. */
  sampleWithoutReplacement(n: number, k: number): Int32Array;
  /** An independent generator derived from this one's next outputs. */
  fork(): Rng;
  /** The current state, for checkpoints. */
  getState(): RngState;
  /** Restores a state returned by {@link Rng.getState}. */
  setState(state: RngState): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a generator from an integer seed. The same seed gives the same
 * sequence on every platform.
 */
export function createRng(seed: number): Rng {
  assertInteger('createRng', 'seed', seed);
  const seeder = splitmix32(seed);
  const s = new Uint32Array([seeder(), seeder(), seeder(), seeder()]);
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };

  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    uniform: (low, high) => low + (high - low) * rng.next(),
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0) {
        throw argumentError('OUT_OF_RANGE', 'Rng.int', 'n', 'an integer > 0', String(n));
      }
      // Rejection sampling removes modulo bias.
      const limit = 4294967296 - (4294967296 % n);
      let x = nextU32();
      while (x >= limit) x = nextU32();
      return x % n;
    },
    normal: () => {
      let u = rng.next();
      while (u === 0) u = rng.next();
      const v = rng.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    bernoulli: (p) => rng.next() < p,
    seed: () => nextU32() >>> 1,
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = items[i]!;
        items[i] = items[j]!;
        items[j] = tmp;
      }
      return items;
    },
    permutation: (n) => {
      assertInteger('Rng.permutation', 'n', n, 0);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = out[i]!;
        out[i] = out[j]!;
        out[j] = tmp;
      }
      return out;
    },
    sampleWithoutReplacement: (n, k) => {
      assertInteger('Rng.sampleWithoutReplacement', 'n', n, 0);
      assertInteger('Rng.sampleWithoutReplacement', 'k', k, 0, n);
      // Partial Fisher-Yates over a sparse swap map: O(k) time and memory.
      const swapped = new Map<number, number>();
      const out = new Int32Array(k);
      for (let i = 0; i < k; i++) {
        const j = i + rng.int(n - i);
        const atJ = swapped.get(j) ?? j;
        const atI = swapped.get(i) ?? i;
        out[i] = atJ;
        swapped.set(j, atI);
      }
      return out;
    },
    fork: () => createRng(nextU32() | 0),
    getState: () => [s[0]!, s[1]!, s[2]!, s[3]!],
    setState: (state) => {
      if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w))) {
        throw argumentError(
          'INVALID_ARGUMENT',
          'Rng.setState',
          'state',
          'four unsigned 32-bit integers',
          JSON.stringify(state),
        );
      }
      s.set(state);
    },
  };
  return rng;
}
