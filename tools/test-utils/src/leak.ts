import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and checks that the number of live tensors grows by exactly
 * `expectedNew` (the tensors `fn` returns to its caller). Returns fn's result,
 * which the caller disposes.
 */
export function expectNoLeak<T>(fn: () => T, expectedNew?: number): T {
  const before = tf.memory().numTensors;
  const result = fn();
  const created = tf.memory().numTensors - before;
  const expected = expectedNew ?? countTensors(result);
  if (created !== expected) {
    throw new Error(`tensor leak: ${created} tensors created, ${expected} returned`);
  }
  return result;
}

/** Async variant of {@link expectNoLeak}. */
export async function expectNoLeakAsync<T>(fn: () => Promise<T>, expectedNew?: number): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const created = tf.memory().numTensors - before;
  const expected = expectedNew ?? countTensors(result);
  if (created !== expected) {
    throw new Error(`tensor leak: ${created} tensors created, ${expected} returned`);
  }
  return result;
}

/** Counts distinct tensors reachable in a value (tensor, array or plain object). */
export function countTensors(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  if (value instanceof tf.Tensor) return value.isDisposed ? 0 : 1;
  if (ArrayBuffer.isView(value)) return 0;
  let n = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) n += countTensors(item, seen);
  return n;
}
