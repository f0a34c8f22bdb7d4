/**
 * Backend parity with asynchronous reads only, so it runs on accelerator
 * backends (webgpu in Node has no synchronous read): a function of tensors
 * is evaluated on the cpu backend and on the backend under test from the
 * same float32 inputs, and its value and its gradients (for a fixed random
 * cotangent) must agree within float32 rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { closenessError, type Tolerance } from './close';
import { useBackend, type TestBackend } from './backends';

/** One input: values and shape (float32 unless `dtype` says int32). */
export interface ParityInput {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly dtype?: 'float32' | 'int32';
}

export interface ParityCase {
  /** Inputs, created afresh on each backend. */
  readonly inputs: readonly ParityInput[];
  /** The function under test; its output may be any float32 tensor. */
  readonly fn: (...inputs: tf.Tensor[]) => tf.Tensor;
  /** Indices of the inputs to differentiate; default every float32 input. Empty: value only. */
  readonly wrt?: readonly number[];
  /** Tolerance of the value. Default atol = rtol = 1e-4. */
  readonly tolerance?: Tolerance;
  /** Tolerance of the gradients. Default the value's. */
  readonly gradTolerance?: Tolerance;
}

export interface ParityResult {
  readonly value: Float32Array;
  readonly shape: readonly number[];
  readonly grads: readonly Float32Array[];
}

/** A deterministic cotangent in [-1, 1) for the output (sin of the index: no RNG state). */
function cotangent(shape: readonly number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = Math.sin(1.7 * i + 0.3);
  return tf.tensor(values, [...shape]);
}

/** Evaluates a case on the active backend: the value and the gradients, read asynchronously. */
export async function evaluateCase(c: ParityCase): Promise<ParityResult> {
  const xs = c.inputs.map((i) => tf.tensor(Array.from(i.values), [...i.shape], i.dtype ?? 'float32'));
  const wrt = c.wrt ?? c.inputs.flatMap((i, k) => ((i.dtype ?? 'float32') === 'float32' ? [k] : []));
  try {
    const y = c.fn(...xs);
    const shape = [...y.shape];
    const value = (await y.data()) as Float32Array;
    y.dispose();
    const grads: Float32Array[] = [];
    if (wrt.length > 0) {
      const dy = cotangent(shape);
      const f = (...args: tf.Tensor[]) => {
        const all = xs.slice();
        wrt.forEach((k, j) => (all[k] = args[j]!));
        return c.fn(...all);
      };
      const gs = tf.grads(f)(
        wrt.map((k) => xs[k]!),
        dy,
      );
      for (const g of gs) grads.push((await g.data()) as Float32Array);
      tf.dispose([...gs, dy]);
    }
    return { value, shape, grads };
  } finally {
    tf.dispose(xs);
  }
}

/**
 * Expects `c` to give the same value and gradients on `backend` as on cpu.
 * Leaves `backend` active.
 */
export async function expectParity(c: ParityCase, backend: TestBackend, label = ''): Promise<void> {
  await useBackend('cpu');
  const expected = await evaluateCase(c);
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const actual = await evaluateCase(c);
  expect(tf.memory().numTensors, `${label}: tensors leaked on ${backend}`).toBe(before);
  expect(actual.shape, `${label}: output shape`).toEqual(expected.shape);
  const tol = { atol: 1e-4, rtol: 1e-4, ...c.tolerance };
  const gradTol = { ...tol, ...c.gradTolerance };
  const valueError = closenessError(Array.from(actual.value), Array.from(expected.value), tol);
  expect(valueError, `${label}: value on ${backend} vs cpu`).toBeUndefined();
  expect(actual.grads.length).toBe(expected.grads.length);
  actual.grads.forEach((g, k) => {
    const error = closenessError(Array.from(g), Array.from(expected.grads[k]!), gradTol);
    expect(error, `${label}: gradient ${k} on ${backend} vs cpu`).toBeUndefined();
  });
}

/** Seeded float32 values in [-scale, scale) (a small LCG; no RNG state shared with other tests). */
export function seededValues(seed: number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** A float32 input of `shape` with seeded values. */
export function seededInput(seed: number, shape: readonly number[], scale = 1): ParityInput {
  return { values: seededValues(seed, shape.reduce((a, b) => a * b, 1), scale), shape };
}

/**
 * Runs `run` on cpu, then on `backend` (where it must not leak tensors), and
 * returns both results, for comparisons beyond one tensor function (a
 * k-means fit, a kNN vote, a queue's state).
 */
export async function onCpuAnd<T>(backend: TestBackend, run: () => Promise<T>): Promise<{ cpu: T; gpu: T }> {
  await useBackend('cpu');
  const cpu = await run();
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const before = tf.memory().numTensors;
  const gpu = await run();
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return { cpu, gpu };
}
