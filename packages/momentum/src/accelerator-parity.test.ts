/**
 * The momentum encoder and the feature queue on an accelerator backend
 * (webgpu; reads are asynchronous only): the same seeded models, keys and
 * steps give the same key weights, BN statistics, queue rows and pointer as
 * on cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { composeEncoder, createConvNet, createPredictionHead, createProjectionHead } from '@contrastive/encoders';
import { closenessError, describeBackends, expectParity, seededInput, seededValues, onCpuAnd, useBackend } from '@contrastive/test-utils';
import type { Tolerance } from '@contrastive/test-utils';
import { emaStepFloat32, queueWriteReference } from '@contrastive/test-utils/reference/encoders';
import { createFeatureQueue } from './feature-queue';
import { createMomentumEncoder } from './momentum-encoder';

function expectArraysClose(actual: readonly Float32Array[], expected: readonly Float32Array[], tol: Tolerance, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((a, i) => expect(closenessError(a, expected[i]!, tol), `${label} [${i}]`).toBeUndefined());
}

function smallEncoder(seed: number): LayersModel {
  const backbone = createConvNet({ inputShape: [8, 8, 3], channels: [4, 6], seed });
  const projection = createProjectionHead({ inputDim: 6, hiddenDims: [5], outputDim: 4, hiddenBatchNorm: true, seed });
  const prediction = createPredictionHead({ inputDim: 4, hiddenDims: [3], outputDim: 4, seed });
  return composeEncoder(backbone, projection, { prediction }).model;
}

async function read(ws: readonly { read(): tf.Tensor }[]): Promise<Float32Array[]> {
  return Promise.all(ws.map(async (w) => Float32Array.from(await w.read().data())));
}

/** The key model's weights in the online model's order (matched by their unique original names). */
function aligned(online: LayersModel, key: LayersModel): LayersModel['weights'] {
  const byName = new Map(key.weights.map((w) => [w.originalName, w]));
  return online.weights.map((w) => byName.get(w.originalName)!);
}

// The EMA is k * m + q * (1 - m) in float32 on every backend: bit for bit.
const EMA_TOLERANCE: Tolerance = { atol: 0, rtol: 0 };

describeBackends(['webgpu'], (backend) => {
  it('EMA updates (cosine schedule) give the key weights of cpu; BN statistics are not copied', async () => {
    const { cpu, gpu } = await onCpuAnd(backend, async () => {
      const online = smallEncoder(3);
      const key = createMomentumEncoder(online, { momentum: 0.9, schedule: 'cosine', totalSteps: 5 });
      const keyWeights = aligned(online, key.model);
      const initial = await read(keyWeights);
      const steps: { m: number; before: Float32Array[]; online: Float32Array[]; after: Float32Array[] }[] = [];
      for (let s = 0; s < 3; s++) {
        // Move the online parameters by seeded amounts (the same values on every backend).
        tf.tidy(() =>
          online.trainableWeights.forEach((w, i) =>
            w.write(tf.add(w.read(), tf.tensor(seededValues(100 * s + i, w.read().size, 0.1), w.shape as number[]))),
          ),
        );
        const before = await read(keyWeights);
        const onlineValues = await read(online.weights);
        const m = key.update();
        steps.push({ m, before, online: onlineValues, after: await read(keyWeights) });
      }
      // A train-mode key forward pass moves the key's own BN statistics.
      const x = tf.tensor4d(seededValues(7, 4 * 8 * 8 * 3), [4, 8, 8, 3]);
      const outs = key.model.apply(x, { training: true }) as tf.Tensor[];
      const outputs = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
      const afterForward = await read(keyWeights);
      const trainable = online.weights.map((w) => w.trainable);
      tf.dispose([x, ...outs]);
      key.dispose();
      online.dispose();
      return { initial, steps, outputs, afterForward, trainable };
    });
    expectArraysClose(gpu.initial, cpu.initial, { atol: 0, rtol: 0 }, 'cloned weights');
    gpu.steps.forEach((step, s) => {
      expect(step.m).toBe(cpu.steps[s]!.m);
      expectArraysClose(step.before, cpu.steps[s]!.before, EMA_TOLERANCE, `key weights before update ${s}`);
      expectArraysClose(step.after, cpu.steps[s]!.after, EMA_TOLERANCE, `key weights after update ${s}`);
      step.after.forEach((after, i) => {
        const expected = gpu.trainable[i] ? emaStepFloat32(step.before[i]!, step.online[i]!, step.m) : step.before[i]!;
        const tol = gpu.trainable[i] ? EMA_TOLERANCE : { atol: 0, rtol: 0 };
        expect(closenessError(after, expected, tol), `update ${s}, weight ${i} against theta_k m + theta_q (1 - m)`).toBeUndefined();
      });
    });
    // Forward pass: convs and BN over the batch, float32 accumulation order differs.
    expectArraysClose(gpu.outputs, cpu.outputs, { atol: 1e-4, rtol: 1e-4 }, 'key outputs');
    expectArraysClose(gpu.afterForward, cpu.afterForward, { atol: 1e-5, rtol: 1e-5 }, 'key weights and BN statistics after a train-mode pass');
  });

  it('getState/setState round trip on the device', async () => {
    await useBackend(backend);
    const online = smallEncoder(5);
    const key = createMomentumEncoder(online, { momentum: 0.8 });
    key.update();
    const state = key.getState();
    const saved = await read(key.model.weights);
    tf.tidy(() => online.trainableWeights.forEach((w) => w.write(tf.add(w.read(), 1))));
    key.update();
    key.setState(state);
    tf.dispose(state.weights);
    expect(key.step).toBe(1);
    expectArraysClose(await read(key.model.weights), saved, { atol: 0, rtol: 0 }, 'restored');
    key.dispose();
    online.dispose();
  });

  it('feature queue: seeded initial rows and every enqueue (wrap-around, batch > size) as on cpu', async () => {
    for (const [size, batch, steps] of [
      [8, 4, 3], // size a multiple of the batch
      [10, 4, 6], // wrap-around mid-batch
      [7, 3, 5],
      [3, 5, 2], // batch larger than the queue
      [6, 1, 8],
    ] as const) {
      const dim = 5;
      const inputs = Array.from({ length: steps }, (_, s) => seededInput(50 + s, [batch, dim]));
      const pointers: number[] = [];
      await expectParity(
        {
          inputs,
          wrt: [],
          tolerance: { atol: 1e-6, rtol: 1e-6 },
          fn: (...keys) => {
            const queue = createFeatureQueue({ size, dim, seed: 3 });
            pointers.length = 0;
            for (const k of keys) {
              queue.enqueue(k as tf.Tensor2D);
              pointers.push(queue.pointer);
            }
            const out = queue.negatives();
            queue.dispose();
            return out;
          },
        },
        backend,
        `queue size ${size} batch ${batch}`,
      );
      // The device rows against writing the normalised keys one by one.
      const queue = createFeatureQueue({ size, dim, seed: 3 });
      const init = queue.negatives();
      let expected = { queue: rowsOf(Float32Array.from(await init.data()), dim), pointer: 0 };
      init.dispose();
      for (let s = 0; s < steps; s++) {
        const values = Float32Array.from(inputs[s]!.values);
        const keys = tf.tensor2d(values, [batch, dim]);
        queue.enqueue(keys);
        keys.dispose();
        expected = queueWriteReference(expected.queue, expected.pointer, rowsOf(unitRows(values, dim), dim));
        expect(queue.pointer).toBe(expected.pointer);
        expect(pointers[s]).toBe(expected.pointer);
        const now = queue.negatives();
        const error = closenessError(await now.data(), expected.queue.flatMap((r) => Array.from(r)), { atol: 1e-6, rtol: 1e-6 });
        expect(error, `size ${size} batch ${batch} step ${s}`).toBeUndefined();
        now.dispose();
      }
      queue.dispose();
    }
  });

  it('feature queue: getState/setState continue like an uninterrupted queue', async () => {
    await useBackend(backend);
    const reference = createFeatureQueue({ size: 10, dim: 3, seed: 2 });
    const restored = createFeatureQueue({ size: 10, dim: 3, seed: 99 });
    const batches = [0, 1, 2, 3].map((s) => tf.tensor2d(seededValues(60 + s, 12), [4, 3]));
    reference.enqueue(batches[0]!);
    reference.enqueue(batches[1]!);
    const state = reference.getState();
    restored.setState(state);
    state.queue.dispose();
    for (const b of batches.slice(2)) {
      reference.enqueue(b);
      restored.enqueue(b);
    }
    expect(restored.pointer).toBe(reference.pointer);
    const x = reference.negatives();
    const y = restored.negatives();
    expect(closenessError(await y.data(), await x.data(), { atol: 0, rtol: 0 })).toBeUndefined();
    tf.dispose([x, y, batches]);
    reference.dispose();
    restored.dispose();
  });
});

function rowsOf(values: ArrayLike<number>, dim: number): Float64Array[] {
  return Array.from({ length: values.length / dim }, (_, i) => Float64Array.from(Array.prototype.slice.call(values, i * dim, (i + 1) * dim) as number[]));
}

function unitRows(values: Float32Array, dim: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += values[i + j]! * values[i + j]!;
    const norm = Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[i + j] = values[i + j]! / norm;
  }
  return out;
}
