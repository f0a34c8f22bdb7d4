/**
 * The sample order of one epoch: a permutation that depends only on
 * (seed, epoch), so any epoch can be reproduced or resumed without replaying
 * the ones before it.
 */
import { assertInteger, createRng } from '@contrastive/core';

/** A 32-bit seed mixed from the loader seed and the epoch (murmur3 finaliser). */
export function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ epoch;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Dataset indices in the order epoch `epoch` visits them: a seeded
 * permutation of 0..length-1 when `shuffle`, else 0..length-1.
 */
export function epochOrder(length: number, epoch: number, options: { seed: number; shuffle: boolean }): Int32Array {
  assertInteger('epochOrder', 'length', length, 0);
  assertInteger('epochOrder', 'epoch', epoch, 0);
  if (!options.shuffle) return Int32Array.from({ length }, (_, i) => i);
  return createRng(epochSeed(options.seed, epoch)).permutation(length);
}
