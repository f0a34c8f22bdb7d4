/**
 * One training step of ResNet-18 (CIFAR stem, batch 128, 32x32): train-mode
 * forward, 10-class cross-entropy, backward and an SGD-momentum update,
 * against torchvision's ResNet-18 on one PyTorch thread (reference/encoders.py).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import { composeEncoder, createProjectionHead, createResNet } from '@contrastive/encoders';
import type { BenchCase } from '../types';

function resnet18Step(batch: number): BenchCase {
  return {
    name: `train-step/resnet18-cifar-b${batch}`,
    description: `ResNet-18 (CIFAR stem) + 10-class fc: forward (train mode), cross-entropy, backward, SGD momentum update on ${batch} 32x32x3 images`,
    backends: ['wasm'],
    repeats: 3,
    warmup: 1,
    items: { count: batch, unit: 'images' },
    torch: { script: 'encoders.py', args: ['resnet18-cifar', String(batch)] },
    async setup() {
      const backbone = createResNet({ depth: 18, stem: 'cifar', seed: 0 });
      const fc = createProjectionHead({ inputDim: backbone.featureDim, outputDim: 10, bias: true, name: 'fc' });
      const encoder = composeEncoder(backbone, fc);
      const rng = createRng(0);
      const images = tf.tensor4d(Float32Array.from({ length: batch * 32 * 32 * 3 }, () => rng.next()), [batch, 32, 32, 3]);
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => rng.int(10)), 'int32'), 10);
      const optimizer = tf.train.momentum(0.01, 0.9);
      return {
        async run() {
          const cost = optimizer.minimize(() => {
            const { projections: logits } = encoder.forward(images, { training: true });
            return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
          }, true);
          await cost!.data();
          cost!.dispose();
        },
        dispose() {
          tf.dispose([images, labels]);
          optimizer.dispose();
          encoder.model.dispose();
        },
      };
    },
  };
}

// Batch 128 is the target case (peak wasm heap about 2.3 GB of 4 GB); batch 32 shows how the
// ratio grows at small batches (fixed per-kernel costs, PyTorch's better cache use).
export const cases: BenchCase[] = [resnet18Step(128), resnet18Step(32)];
