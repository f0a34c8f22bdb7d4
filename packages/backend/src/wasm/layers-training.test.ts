import * as tf from '@tensorflow/tfjs-core';
// The shared vitest setup registers gradients from tfjs-core's ESM build, a
// second copy of tfjs-core whose Tensor class has no op handler until its
// ops load; gradients that chain tensor methods (Cast's dy.clone()) need it.
import '@tensorflow/tfjs-core/dist/index.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { setBackend } from '../select-backend';

/** conv-BN-ReLU x3 (strides 1, 2, 2), max pool, global average pool, dense: every kernel of an encoder step. */
function buildNet(seed: number): tfl.LayersModel {
  const init = (s: number) => tfl.initializers.glorotNormal({ seed: seed + s });
  const input = tfl.input({ shape: [12, 12, 3] });
  let h = input;
  const widths = [8, 12, 16];
  widths.forEach((filters, i) => {
    h = tfl.layers
      .conv2d({ filters, kernelSize: 3, strides: i === 0 ? 1 : 2, padding: 'same', useBias: false, kernelInitializer: init(i) })
      .apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
    if (i === 0) h = tfl.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(h) as tfl.SymbolicTensor;
  });
  h = tfl.layers.globalAveragePooling2d({}).apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, kernelInitializer: init(9) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

async function trainLosses(backend: 'cpu' | 'wasm', steps: number): Promise<number[]> {
  await setBackend(backend);
  const model = buildNet(7);
  const x = tf.randomNormal([16, 12, 12, 3], 0, 1, 'float32', 11);
  const labels = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4), 'float32');
  // Make the classes learnable: shift each image's mean by its label.
  const shift = tf.reshape(tf.matMul(labels, tf.tensor2d([[-1], [-0.3], [0.3], [1]])), [16, 1, 1, 1]);
  const inputs = tf.add(x, shift);
  const optimizer = tf.train.sgd(0.05);
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(inputs, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    ) as tf.Scalar;
    losses.push((await loss.data())[0] as number);
    loss.dispose();
  }
  // Training allocates optimizer state once (none for plain SGD) and nothing per step.
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, labels, shift, inputs]);
  optimizer.dispose();
  model.layers.forEach((l) => l.dispose());
  return losses;
}

describe('a tfjs-layers conv net trains on wasm', () => {
  it('loss falls over SGD steps and matches cpu step by step', async () => {
    const wasm = await trainLosses('wasm', 6);
    const cpu = await trainLosses('cpu', 6);
    expect(wasm.every(Number.isFinite)).toBe(true);
    expect(wasm[wasm.length - 1] as number).toBeLessThan((wasm[0] as number) * 0.9);
    for (let i = 0; i < wasm.length; i++) {
      expect(Math.abs((wasm[i] as number) - (cpu[i] as number))).toBeLessThan(1e-3 * (1 + Math.abs(cpu[i] as number)));
    }
  });
});
