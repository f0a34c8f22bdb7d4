/**
 * Per-kernel timings of the three convolutions of `train-step/convnet-3` at
 * 256 inputs: conv2d forward, `Conv2DBackpropInput` (the input gradient) and
 * `Conv2DBackpropFilter` (the filter gradient) on wasm with
 * @contrastive/backend's kernels, against torch's conv2d and
 * `torch.nn.grad.conv2d_input` / `conv2d_weight` (reference/kernels.py).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import type { BenchCase } from '../types';

const INPUTS = 256;
const LAYERS = [
  { size: 32, cin: 3, cout: 32, stride: 1 },
  { size: 32, cin: 32, cout: 64, stride: 2 },
  { size: 16, cin: 64, cout: 128, stride: 2 },
] as const;
const OPS = ['forward', 'input', 'filter'] as const;

function random(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

function kernelCase(index: number, op: (typeof OPS)[number]): BenchCase {
  const l = LAYERS[index] as (typeof LAYERS)[number];
  return {
    name: `kernels/conv${index + 1}-${op}`,
    description: `${op === 'forward' ? 'conv2d' : op === 'input' ? 'Conv2DBackpropInput' : 'Conv2DBackpropFilter'} of conv3x3(${l.cin}->${l.cout}, s${l.stride}) on ${INPUTS}x${l.size}x${l.size}x${l.cin}`,
    backends: ['wasm'],
    repeats: 5,
    warmup: 1,
    torch: { script: 'kernels.py', args: [String(index + 1), op] },
    async setup() {
      const x = random([INPUTS, l.size, l.size, l.cin], 1) as tf.Tensor4D;
      const w = random([3, 3, l.cin, l.cout], 2) as tf.Tensor4D;
      const shape = tf.backend_util.computeConv2DInfo(x.shape, w.shape, l.stride, 1, 'same').outShape;
      const dy = random(shape, 3) as tf.Tensor4D;
      const run = (): tf.Tensor => {
        if (op === 'forward') return tf.conv2d(x, w, l.stride, 'same');
        if (op === 'input') return tf.conv2dTranspose(dy, w, x.shape, l.stride, 'same');
        return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          strides: l.stride,
          pad: 'same',
          dataFormat: 'NHWC',
          filterShape: w.shape,
        }) as tf.Tensor;
      };
      return {
        async run() {
          const out = run();
          await out.data();
          out.dispose();
        },
        dispose: () => tf.dispose([x, w, dy]),
      };
    },
  };
}

export const cases: BenchCase[] = LAYERS.flatMap((_, i) => OPS.map((op) => kernelCase(i, op)));
