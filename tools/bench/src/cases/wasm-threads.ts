/**
 * `threads/...`: the 3-conv SimCLR step (train-step.ts) and the ResNet-18
 * CIFAR step at batch 128 (encoders.ts) on the wasm backend with 1 and 2
 * XNNPACK threads (`setBackend('wasm', { threads })`), each beside PyTorch
 * with `torch.set_num_threads` 1 and 2 in the same run; and two single
 * XNNPACK products (a 1024x1024 matmul, a 3x3 conv of 64x32x32x32) that show
 * the pool's speed-up without any serial JavaScript. Run them back to back
 * (`npm run bench -- --filter threads/`) so that both thread counts see the
 * same machine load.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase, PreparedCase } from '../types';
import { cases as encoderCases } from './encoders';
import { cases as trainStepCases } from './train-step';

/** The thread counts compared (this project's build machine has 2 cores). */
const THREAD_COUNTS = [1, 2] as const;

function base(cases: BenchCase[], name: string): BenchCase {
  const found = cases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`bench case ${name} not found`);
  return found;
}

function withThreads(c: BenchCase, name: string, threads: number): BenchCase {
  return {
    ...c,
    name: `threads/${name}-t${threads}`,
    description: `${c.description}; wasm on ${threads} XNNPACK thread${threads === 1 ? '' : 's'}, PyTorch on ${threads}`,
    threads,
    ...(c.torch === undefined ? {} : { torch: { ...c.torch, threads } }),
  };
}

const convnet = base(trainStepCases, 'train-step/convnet-3');
const resnet = base(encoderCases, 'train-step/resnet18-cifar-b128');

/** One forward op on seeded inputs, read back once per run. */
function single(name: string, description: string, threads: number, make: () => { inputs: tf.Tensor[]; op: () => tf.Tensor }): BenchCase {
  return {
    name: `threads/${name}-t${threads}`,
    description: `${description}; wasm on ${threads} XNNPACK thread${threads === 1 ? '' : 's'}`,
    backends: ['wasm'],
    repeats: 9,
    warmup: 2,
    threads,
    async setup(): Promise<PreparedCase> {
      const { inputs, op } = make();
      return {
        async run() {
          const y = op();
          await y.data();
          y.dispose();
        },
        dispose: () => tf.dispose(inputs),
      };
    },
  };
}

const matmul1024 = (threads: number): BenchCase =>
  single('matmul-1024', '[1024,1024] @ [1024,1024]', threads, () => {
    const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 1);
    const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 2);
    return { inputs: [a, b], op: () => tf.matMul(a, b) };
  });

const conv64 = (threads: number): BenchCase =>
  single('conv3x3-64x32x32x32', 'conv2d 3x3 same, x [64,32,32,32], filter [3,3,32,32]', threads, () => {
    const x = tf.randomNormal([64, 32, 32, 32], 0, 1, 'float32', 3) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 32, 32], 0, 0.1, 'float32', 4) as tf.Tensor4D;
    return { inputs: [x, f], op: () => tf.conv2d(x, f, 1, 'same') };
  });

export const cases: BenchCase[] = [
  ...THREAD_COUNTS.map(matmul1024),
  ...THREAD_COUNTS.map(conv64),
  ...THREAD_COUNTS.map((t) => withThreads(convnet, 'convnet-3', t)),
  ...THREAD_COUNTS.map((t) => withThreads(resnet, 'resnet18-cifar-b128', t)),
];
