/**
 * `train-step/convnet-3`: one SGD step of a small SimCLR-style encoder for 128
 * images in two views (256 inputs of 32x32x3): conv3x3(3->32, s1) BN ReLU,
 * conv3x3(32->64, s2) BN ReLU, conv3x3(64->128, s2) BN ReLU, global average
 * pool, dense 128; NT-Xent at temperature 0.2 (SimCLR, Chen et al. 2020),
 * written inline with tf ops; backward; SGD update. The matching PyTorch step
 * is reference/train_step.py. `profileConvnetStep` times every kernel of one
 * step (and the kernels inside this repository's composite wasm kernels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import { setInnerKernelProfiler } from '@contrastive/backend';
import type { BenchBackend, BenchCase, PreparedCase } from '../types';

/** Temperature of the NT-Xent loss (SimCLR's CIFAR setting). */
const TEMPERATURE = 0.2;
const LEARNING_RATE = 0.1;
const BN_EPSILON = 1e-5;
const LAYERS = [
  { cin: 3, cout: 32, stride: 1 },
  { cin: 32, cout: 64, stride: 2 },
  { cin: 64, cout: 128, stride: 2 },
] as const;

interface Net {
  variables: tf.Variable[];
  forward(x: tf.Tensor4D): tf.Tensor2D;
}

function createNet(seed: number): Net {
  const rng = createRng(seed);
  const normal = (shape: number[], std: number): tf.Variable =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * std), shape));
  const convs = LAYERS.map((l) => ({
    filter: normal([3, 3, l.cin, l.cout], Math.sqrt(2 / (9 * l.cin))),
    gamma: tf.variable(tf.ones([l.cout])),
    beta: tf.variable(tf.zeros([l.cout])),
    stride: l.stride,
  }));
  const dense = normal([128, 128], Math.sqrt(1 / 128));
  const bias = tf.variable(tf.zeros([128]));
  return {
    variables: [...convs.flatMap((c) => [c.filter, c.gamma, c.beta]), dense, bias],
    forward(x) {
      let h: tf.Tensor4D = x;
      for (const c of convs) {
        const y = tf.conv2d(h, c.filter as tf.Tensor4D, c.stride, 'same');
        // Train-mode batch norm over (batch, height, width).
        const { mean, variance } = tf.moments(y, [0, 1, 2]);
        h = tf.relu(tf.batchNorm(y, mean, variance, c.beta, c.gamma, BN_EPSILON)) as tf.Tensor4D;
      }
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      return tf.add(tf.matMul(pooled, dense), bias);
    },
  };
}

/** NT-Xent over `z = [view1; view2]` (`[2n, d]`): positives are `i <-> i + n`, self-similarity excluded. */
function ntXent(z: tf.Tensor2D, temperature: number): tf.Scalar {
  const [twoN] = z.shape;
  const n = twoN / 2;
  const unit = tf.div(z, tf.norm(z, 'euclidean', 1, true));
  const logits = tf.div(tf.matMul(unit, tf.transpose(unit)), temperature);
  const masked = tf.sub(logits, tf.mul(tf.eye(twoN), 1e9));
  const positives = tf.oneHot(
    tf.tensor1d(Array.from({ length: twoN }, (_, i) => (i + n) % twoN), 'int32'),
    twoN,
  );
  const positive = tf.sum(tf.mul(masked, positives), 1);
  return tf.mean(tf.sub(tf.logSumExp(masked, 1), positive));
}

interface StepState {
  step(): tf.Scalar;
  dispose(): void;
}

function createStep(batch: number): StepState {
  const net = createNet(0);
  const rng = createRng(1);
  const inputs = tf.tensor4d(Float32Array.from({ length: batch * 32 * 32 * 3 }, () => rng.normal()), [batch, 32, 32, 3]);
  const optimizer = tf.train.sgd(LEARNING_RATE);
  return {
    step: () => optimizer.minimize(() => ntXent(net.forward(inputs), TEMPERATURE), true, net.variables) as tf.Scalar,
    dispose() {
      inputs.dispose();
      optimizer.dispose();
      net.variables.forEach((v) => v.dispose());
    },
  };
}

/** Inputs per step: 128 images x 2 views; the cpu case takes 16 (the cpu backend needed about 130 s for 64). */
const INPUTS: Record<BenchBackend, number> = { wasm: 256, cpu: 16, tensorflow: 256, webgpu: 256 };

function prepare(backend: BenchBackend): PreparedCase {
  const state = createStep(INPUTS[backend]);
  return {
    async run() {
      const loss = state.step();
      await loss.data();
      loss.dispose();
    },
    dispose: () => state.dispose(),
  };
}

export const cases: BenchCase[] = [
  {
    name: 'train-step/convnet-3',
    description:
      'conv3x3(3-32,s1)-BN-ReLU, conv3x3(32-64,s2)-BN-ReLU, conv3x3(64-128,s2)-BN-ReLU, GAP, dense 128; NT-Xent T=0.2; backward; SGD. 256 inputs 32x32x3',
    backends: ['wasm'],
    repeats: 5,
    warmup: 1,
    items: { count: 256, unit: 'inputs' },
    torch: { script: 'train_step.py', args: ['256'] },
    setup: async (backend) => prepare(backend),
  },
  {
    name: 'train-step/convnet-3-cpu16',
    description: 'the same step on the pure JavaScript cpu backend, reduced to 16 inputs (PyTorch on the same 16)',
    backends: ['cpu'],
    repeats: 1,
    warmup: 0,
    items: { count: 16, unit: 'inputs' },
    torch: { script: 'train_step.py', args: ['16'] },
    setup: async (backend) => prepare(backend),
  },
];

/** One kernel's share of a profiled step. */
export interface KernelShare {
  kernel: string;
  milliseconds: number;
  calls: number;
}

/**
 * Times every kernel of one step on the active backend (after a warm-up step).
 * Composite kernels of @contrastive/backend are listed with their total and,
 * prefixed by `  > `, the kernels they call.
 */
export async function profileConvnetStep(batch = 256): Promise<{ totalMs: number; kernels: KernelShare[] }> {
  const state = createStep(batch);
  const warm = state.step();
  await warm.data();
  warm.dispose();
  const shares = new Map<string, KernelShare>();
  const add = (kernel: string, ms: number): void => {
    const s = shares.get(kernel) ?? { kernel, milliseconds: 0, calls: 0 };
    s.milliseconds += ms;
    s.calls += 1;
    shares.set(kernel, s);
  };
  setInnerKernelProfiler((name, ms) => add(`  > ${name}`, ms));
  const start = performance.now();
  const info = await tf.profile(async () => {
    const loss = state.step();
    await loss.data();
    loss.dispose();
  });
  const totalMs = performance.now() - start;
  setInnerKernelProfiler(undefined);
  for (const k of info.kernels) add(k.name, await Promise.resolve(k.kernelTimeMs as number | { error: string }).then((t) => (typeof t === 'number' ? t : 0)));
  state.dispose();
  return { totalMs, kernels: [...shares.values()].sort((a, b) => b.milliseconds - a.milliseconds) };
}
