/**
 * Test helpers: run the same tfjs computation on cpu and on wasm (with this
 * package's kernels) from identical seeded inputs, and check that no tensor
 * or backend buffer leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { expectClose } from '@contrastive/test-utils';
import { setBackend } from '../select-backend';

/** Seeded inputs, created fresh on the active backend. */
export type Inputs = Record<string, { shape: number[]; seed: number; dtype?: 'float32' | 'int32'; values?: number[] }>;

function materialise(spec: Inputs): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, s] of Object.entries(spec)) {
    out[name] =
      s.values !== undefined ? tf.tensor(s.values, s.shape, s.dtype ?? 'float32') : tf.randomNormal(s.shape, 0, 1, 'float32', s.seed);
  }
  return out;
}

interface Run {
  shapes: number[][];
  values: Float32Array[];
}

async function runOn(backend: 'cpu' | 'wasm', spec: Inputs, fn: (t: Record<string, tf.Tensor>) => tf.Tensor[]): Promise<Run> {
  await setBackend(backend);
  const inputs = materialise(spec);
  const before = tf.memory().numTensors;
  const bytesBefore = tf.memory().numBytes;
  const dataIdsBefore = tf.engine().backend.numDataIds();
  const outputs = fn(inputs);
  const run: Run = { shapes: outputs.map((o) => o.shape), values: [] };
  for (const o of outputs) {
    expect(o.dtype).toBe('float32');
    run.values.push((await o.data()) as Float32Array);
  }
  tf.dispose(outputs);
  // Nothing the kernels created survives: engine tensors, bytes and backend buffers.
  expect(tf.memory().numTensors).toBe(before);
  expect(tf.memory().numBytes).toBe(bytesBefore);
  expect(tf.engine().backend.numDataIds()).toBe(dataIdsBefore);
  tf.dispose(Object.values(inputs));
  return run;
}

/** Asserts that `fn` gives the same shapes and (float32-close) values on wasm as on cpu. */
export async function expectParity(
  spec: Inputs,
  fn: (t: Record<string, tf.Tensor>) => tf.Tensor[],
  tolerance = { atol: 1e-4, rtol: 1e-4 },
): Promise<void> {
  const cpu = await runOn('cpu', spec, (t) => tf.tidy(() => fn(t)));
  const wasm = await runOn('wasm', spec, (t) => tf.tidy(() => fn(t)));
  expect(wasm.shapes).toEqual(cpu.shapes);
  for (let i = 0; i < cpu.values.length; i++) {
    expectClose(wasm.values[i] as Float32Array, cpu.values[i] as Float32Array, tolerance);
  }
}
