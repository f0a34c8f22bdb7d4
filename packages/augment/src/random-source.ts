/**
 * Where an augmentation draws its random parameters from: an {@link Rng}
 * (advanced by the call, so consecutive calls differ) or `{ seed }` (a fresh
 * generator, so the same seed always gives the same output).
 */
import { argumentError, createRng, type Rng } from '@contrastive/core';

/** An `Rng` from `@contrastive/core`, or `{ seed }` for a fresh one. */
export type RandomSource = Rng | { readonly seed: number };

function isRng(value: unknown): value is Rng {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Rng).next === 'function' &&
    typeof (value as Rng).uniform === 'function'
  );
}

/** Resolves a {@link RandomSource} to a generator. */
export function toRng(fn: string, random: RandomSource): Rng {
  if (isRng(random)) return random;
  if (typeof random === 'object' && random !== null && 'seed' in random) {
    return createRng(random.seed);
  }
  throw argumentError('INVALID_ARGUMENT', fn, 'random', 'an Rng or { seed: number }', typeof random);
}
