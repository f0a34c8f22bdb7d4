/**
 * Encoders on an accelerator backend (webgpu; reads are asynchronous only):
 * every backbone, the heads and split BatchNorm built from the same seed on
 * cpu and on the device give the same outputs, the same gradients with
 * respect to the input and to every trainable weight, and the same BN
 * running statistics, in training mode (batch statistics) and in inference
 * mode (running statistics).
 */
import * as tf from '@tensorflow/tfjs-core';
import { input } from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { closenessError, describeBackends, expectParity, seededInput, seededValues, useBackend } from '@contrastive/test-utils';
import type { TestBackend, Tolerance } from '@contrastive/test-utils';
import { AddReLU } from './add-relu';
import { batchNormTraining } from './batch-norm-training';
import { composeEncoder } from './compose';
import { createConvNet } from './conv-net';
import { projectionHeadPreset } from './head-presets';
import { createPredictionHead, createProjectionHead } from './heads';
import { createResNet } from './resnet';
import { createSmallAlexNet } from './small-alexnet';
import { SplitBatchNormalization } from './split-batch-norm';

/** What one backend computes for a model: outputs, gradients and all weights after the pass. */
interface ModelRun {
  readonly outputs: Float32Array[];
  readonly inputGradient: Float32Array;
  /** Gradients of the trainable weights, in `model.trainableWeights` order. */
  readonly weightGradients: Float32Array[];
  /** Every weight after the pass (train mode moves the BN running statistics). */
  readonly weights: Float32Array[];
  readonly weightNames: string[];
}

/** A deterministic cotangent in [-1, 1) (sin of the index, as expectParity's). */
function cotangent(shape: readonly number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3)), [...shape]);
}

/**
 * Builds the model on the active backend (weights from the seeded
 * initialisers: the same values on every backend), runs `apply(x, { training })`
 * and differentiates sum_i <output_i, cotangent_i> with respect to the input
 * and every trainable weight. Everything is read asynchronously and disposed.
 */
async function runModel(
  build: () => LayersModel,
  x: { values: ArrayLike<number>; shape: readonly number[] },
  training: boolean,
  gradients: boolean,
): Promise<ModelRun> {
  const model = build();
  const xs = tf.tidy(() => tf.variable(tf.tensor(Array.from(x.values), [...x.shape]), true));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let kept: tf.Tensor[] = [];
  let cots: tf.Tensor[] = [];
  const forward = (): tf.Scalar => {
    const out = model.apply(xs, { training });
    const outs = Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
    kept = outs.map((t) => tf.keep(tf.clone(t)));
    cots = outs.map((t) => tf.keep(cotangent(t.shape)));
    return tf.addN(outs.map((t, i) => tf.sum(tf.mul(t, cots[i]!)))) as tf.Scalar;
  };
  const { value, grads } = gradients ? tf.variableGrads(forward, [xs, ...vars]) : { value: tf.tidy(forward), grads: {} as tf.NamedTensorMap };
  const readAll = (ts: readonly tf.Tensor[]) => Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
  const result: ModelRun = {
    outputs: await readAll(kept),
    inputGradient: gradients ? Float32Array.from(await grads[xs.name]!.data()) : new Float32Array(0),
    weightGradients: gradients ? await readAll(vars.map((v) => grads[v.name]!)) : [],
    weights: await readAll(model.weights.map((w) => w.read())),
    weightNames: model.weights.map((w) => w.originalName),
  };
  tf.dispose([value, ...Object.values(grads), ...kept, ...cots, xs]);
  model.dispose();
  return result;
}

interface ModelTolerances {
  /** Outputs and the weights after the pass. Default atol = rtol = 1e-4. */
  value?: Tolerance;
  /** Compare the forward pass only. Default false. */
  forwardOnly?: boolean;
}

/** Largest |v|. */
function maxAbs(values: Float32Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Gradients are compared relative to the largest entry of the tensor:
 * |a - e| <= 1e-4 * max|e| + 1e-4 * |e|. A gradient entry of a network is a
 * long float32 sum (over the batch, the positions and every path back from
 * the output), and a train-mode BatchNorm backward pass subtracts the batch
 * means of dy and dy * x from dy: entries much smaller than the tensor's
 * scale are differences of large terms, whose rounding error scales with
 * the terms, not with the difference. Measured on the cases below, wasm (an
 * independent float32 implementation) differs from cpu by as much as webgpu
 * does (ResNet-18 width 16 train mode: dW of conv1 2.9e-4 (wasm) and 2.7e-4
 * (webgpu) at a scale of 68, dx 9e-5 and 8e-5 at a scale of 22), i.e. at most a
 * few 1e-6 of the scale: 1e-4 of the scale is far below any real error.
 */
function gradientTolerance(expected: Float32Array): Tolerance {
  return { atol: 1e-4 * maxAbs(expected), rtol: 1e-4 };
}

/**
 * `build` on cpu and on `backend` from the same seed: outputs, input and
 * weight gradients and the weights after the pass agree; nothing leaks on
 * the device.
 */
async function expectModelParity(
  backend: TestBackend,
  label: string,
  build: () => LayersModel,
  x: { values: ArrayLike<number>; shape: readonly number[] },
  training: boolean,
  options: ModelTolerances = {},
): Promise<void> {
  await useBackend('cpu');
  const gradients = options.forwardOnly !== true;
  const cpu = await runModel(build, x, training, gradients);
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const gpu = await runModel(build, x, training, gradients);
  expect(tf.memory().numTensors, `${label}: tensors leaked on ${backend}`).toBe(before);
  const value = { atol: 1e-4, rtol: 1e-4, ...options.value };
  expect(gpu.outputs.length).toBe(cpu.outputs.length);
  gpu.outputs.forEach((o, i) => expect(closenessError(o, cpu.outputs[i]!, value), `${label}: output ${i}`).toBeUndefined());
  expect(gpu.weightNames).toEqual(cpu.weightNames);
  // Parameters are untouched; BN running statistics moved by the same batch statistics in train mode.
  gpu.weights.forEach((w, i) => expect(closenessError(w, cpu.weights[i]!, value), `${label}: weight ${gpu.weightNames[i]} after the pass`).toBeUndefined());
  if (!gradients) return;
  const dx = cpu.inputGradient;
  expect(closenessError(gpu.inputGradient, dx, gradientTolerance(dx)), `${label}: input gradient`).toBeUndefined();
  expect(gpu.weightGradients.length).toBe(cpu.weightGradients.length);
  expect(gpu.weightGradients.length).toBeGreaterThan(0);
  gpu.weightGradients.forEach((g, i) => {
    const e = cpu.weightGradients[i]!;
    expect(closenessError(g, e, gradientTolerance(e)), `${label}: gradient of trainable weight ${i}`).toBeUndefined();
  });
}

/** Images in [0, 1) (seeded; the same float32 values on every backend). */
function images(seed: number, shape: readonly number[]): { values: Float32Array; shape: readonly number[] } {
  return { values: seededValues(seed, shape.reduce((a, b) => a * b, 1), 0.5).map((v) => v + 0.5), shape };
}

describeBackends(['webgpu'], (backend) => {
  // The cpu reference's convolution gradients are plain JavaScript loops (about
  // a minute for one ResNet-18 backward pass at width 64): the gradient checks
  // run ResNet-18's full layout at width 16 (16-32-64-128 channels), and the
  // full width is checked in the forward pass.
  it('ResNet-18 (CIFAR stem, 16x16, batch 2, width 16): train-mode forward, input and weight gradients, BN statistics', async () => {
    const build = () => createResNet({ depth: 18, stem: 'cifar', width: 16, inputShape: [16, 16, 3], seed: 3 }).model;
    await expectModelParity(backend, 'resnet18 train', build, images(1, [2, 16, 16, 3]), true);
  });

  it('ResNet-18 (width 16) in inference mode (running statistics): forward and gradients', async () => {
    const build = () => createResNet({ depth: 18, stem: 'cifar', width: 16, inputShape: [16, 16, 3], seed: 4 }).model;
    await expectModelParity(backend, 'resnet18 eval', build, images(2, [2, 16, 16, 3]), false);
  });

  it('ResNet-18 at full width (64-512 channels, 16x16, batch 2): train-mode forward and BN statistics', async () => {
    const build = () => createResNet({ depth: 18, stem: 'cifar', inputShape: [16, 16, 3], seed: 5 }).model;
    await expectModelParity(backend, 'resnet18 full width', build, images(3, [2, 16, 16, 3]), true, { forwardOnly: true });
  });

  // 48x48 leaves layer4 at 2x2, so each of the two BN groups normalises 8
  // values (at 1x1 a group of two samples is normalised to +-1 and its
  // gradient is the rounding of a difference of two nearly equal numbers).
  it('ResNet-50 bottlenecks with the ImageNet stem and zero-init residual, split BN (width 4, 48x48)', async () => {
    await expectModelParity(
      backend,
      'resnet50 imagenet stem',
      () => createResNet({ depth: 50, stem: 'imagenet', width: 4, zeroInitResidual: true, batchNormGroups: 2, inputShape: [48, 48, 3], seed: 5 }).model,
      images(3, [4, 48, 48, 3]),
      true,
    );
  });

  it('small ConvNet: train and inference mode', async () => {
    for (const training of [true, false]) {
      await expectModelParity(backend, `conv-net training=${training}`, () => createConvNet({ inputShape: [16, 16, 3], seed: 6 }).model, images(4, [2, 16, 16, 3]), training);
    }
  });

  it('SmallAlexNet (32x32, narrow conv and fc widths): train and inference mode', async () => {
    for (const training of [true, false]) {
      await expectModelParity(
        backend,
        `small-alexnet training=${training}`,
        () => createSmallAlexNet({ channels: [8, 16, 16, 16, 16], fcDim: 32, seed: 7 }).model,
        images(5, [8, 32, 32, 3]),
        training,
      );
    }
  });

  it('projection heads (every BN flavour) and the prediction head: forward and gradients', async () => {
    const heads: [string, () => LayersModel][] = [
      ['linear', () => createProjectionHead({ ...projectionHeadPreset('linear', 24), seed: 1 }).model],
      ['moco-v2', () => createProjectionHead({ ...projectionHeadPreset('moco-v2', 24), seed: 2 }).model],
      ['simclr (gamma-only output BN)', () => createProjectionHead({ ...projectionHeadPreset('simclr', 24), seed: 3 }).model],
      ['dystress (affine output BN)', () => createProjectionHead({ ...projectionHeadPreset('dystress', 24), seed: 4 }).model],
      ['moco-v3 (plain output BN)', () => createProjectionHead({ ...projectionHeadPreset('moco-v3', 24), hiddenDims: [32, 32], outputDim: 16, seed: 5 }).model],
      ['split-BN head', () => createProjectionHead({ inputDim: 24, hiddenDims: [20], outputDim: 12, hiddenBatchNorm: true, outputBatchNorm: 'affine', batchNormGroups: 2, seed: 6 }).model],
      ['prediction head', () => createPredictionHead({ inputDim: 24, hiddenDims: [40], outputDim: 24, seed: 7 }).model],
    ];
    for (const [label, build] of heads) {
      for (const training of [true, false]) {
        await expectModelParity(backend, `${label} training=${training}`, build, seededInput(10, [8, 24]), training);
      }
    }
  });

  it('composed encoder (backbone, projection and prediction heads): every output and gradient', async () => {
    const build = () => {
      const backbone = createConvNet({ inputShape: [8, 8, 3], channels: [8, 12], seed: 8 });
      const projection = createProjectionHead({ inputDim: 12, hiddenDims: [10], outputDim: 6, hiddenBatchNorm: true, seed: 9 });
      const prediction = createPredictionHead({ inputDim: 6, hiddenDims: [5], outputDim: 6, seed: 10 });
      return composeEncoder(backbone, projection, { prediction }).model;
    };
    await expectModelParity(backend, 'composed encoder', build, images(6, [4, 8, 8, 3]), true);
  });

  it('train-mode split BatchNorm op: value and gradients (x, gamma, beta) for 1 and 2 groups, with and without ReLU', async () => {
    for (const [shape, groups, relu] of [
      [[4, 3, 3, 5], 1, false],
      [[4, 3, 3, 5], 2, true],
      [[8, 6], 2, false],
      [[6, 2, 2, 4], 3, true],
    ] as const) {
      const channels = shape[shape.length - 1]!;
      await expectParity(
        {
          inputs: [seededInput(11, shape, 2), seededInput(12, [channels], 0.5), seededInput(13, [channels], 0.5)],
          fn: (x, gamma, beta) => {
            let stats: tf.Tensor[] = [];
            // The statistics the layer's running averages are built from, next to y.
            const out = tf.tidy(() => {
              const y = batchNormTraining(x!, gamma!, beta!, { groups, epsilon: 1e-5, relu, stats: (s) => (stats = [s.mean, s.variance]) });
              return tf.concat([tf.reshape(y, [-1]), ...stats]);
            });
            tf.dispose(stats);
            return out;
          },
        },
        backend,
        `batchNormTraining ${JSON.stringify(shape)} groups ${groups} relu ${relu}`,
      );
    }
  });

  it('SplitBatchNormalization layer: train mode moves the running statistics as on cpu; inference mode uses them', async () => {
    const shape = [8, 3, 2, 5];
    const layers = new Map<string, SplitBatchNormalization>();
    const layerFor = () => {
      // One layer per backend, built and given the same weights there.
      const key = tf.getBackend();
      let layer = layers.get(key);
      if (layer === undefined) {
        layer = new SplitBatchNormalization({ numGroups: 2, activation: 'relu' });
        layer.apply(input({ shape: shape.slice(1) }));
        layer.setWeights([
          tf.tensor1d(seededValues(21, 5, 0.3).map((v) => v + 1)),
          tf.tensor1d(seededValues(22, 5, 0.3)),
          tf.tensor1d(seededValues(23, 5, 0.2)),
          tf.tensor1d(seededValues(24, 5, 0.2).map((v) => v + 1)),
        ]);
        layers.set(key, layer);
      }
      return layer;
    };
    await useBackend('cpu');
    layerFor();
    await useBackend(backend);
    layerFor();
    for (const training of [true, false]) {
      await expectParity(
        { inputs: [seededInput(25, shape, 2)], fn: (x) => layerFor().apply(x!, { training }) as tf.Tensor },
        backend,
        `split BN layer training=${training}`,
      );
    }
    // Each backend ran the layer twice in train mode (value and gradient passes).
    const statistics = async (name: string) => {
      await useBackend(name as TestBackend);
      const ws = layerFor().getWeights();
      return Promise.all(ws.map(async (w) => Float32Array.from(await w.data())));
    };
    const cpu = await statistics('cpu');
    const gpu = await statistics(backend);
    gpu.forEach((w, i) => expect(closenessError(w, cpu[i]!, { atol: 1e-5, rtol: 1e-5 }), `weight ${i}`).toBeUndefined());
    expect(closenessError(gpu[2]!, seededValues(23, 5, 0.2), { atol: 0, rtol: 0 })).toBeDefined();
    await useBackend('cpu');
    layers.get('cpu')!.dispose();
    await useBackend(backend);
    layers.get(backend)!.dispose();
  });

  it('AddReLU: relu(a + b) and its gradient', async () => {
    await expectParity(
      {
        inputs: [seededInput(31, [2, 4, 4, 3]), seededInput(32, [2, 4, 4, 3])],
        fn: (a, b) => new AddReLU().apply([a!, b!]) as tf.Tensor,
      },
      backend,
      'add-relu',
    );
  });
});
