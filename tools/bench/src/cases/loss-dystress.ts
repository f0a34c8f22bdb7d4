/**
 * DySTreSS forward + backward (gradients for both views) at batch 256, dim 128.
 * PyTorch reference: reference/losses_dystress.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dystressDclLoss, dystressLoss } from '@contrastive/loss-dystress';
import type { BenchCase } from '../types';

const [B, D] = [256, 128];

function dystressCase(name: string, loss: typeof dystressLoss, variant: string): BenchCase {
  return {
    name: `loss-dystress/${name}`,
    description: `${variant} forward+backward, z1 and z2 [${B}, ${D}], tau in (0.07, 0.2)`,
    repeats: 9,
    warmup: 2,
    torch: { script: 'losses_dystress.py', args: [variant, String(B), String(D)] },
    items: { count: B, unit: 'pairs' },
    async setup() {
      const z1 = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const z2 = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const step = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D));
      return {
        async run() {
          const grads = step([z1, z2]);
          await grads[0]!.data();
          tf.dispose(grads);
        },
        dispose() {
          tf.dispose([z1, z2]);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [
  dystressCase(`nt-xent-${B}x${D}`, dystressLoss, 'ntxent'),
  dystressCase(`dcl-${B}x${D}`, dystressDclLoss, 'dcl'),
];
