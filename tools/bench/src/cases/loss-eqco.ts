/**
 * EqCo forward + backward (query gradient) at batch 256, dim 128 with queues
 * of 4096 and 65536, and SiMo with in-batch keys.
 * PyTorch reference: reference/losses_eqco.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { eqcoLoss, simoLoss } from '@contrastive/loss-eqco';
import type { BenchCase } from '../types';

const [B, D] = [256, 128];

function eqcoCase(queueSize: number): BenchCase {
  return {
    name: `loss-eqco/eqco-${B}x${D}-queue-${queueSize}`,
    description: `eqcoLoss forward+backward, query/key [${B}, ${D}], queue [${queueSize}, ${D}], alpha 256`,
    repeats: queueSize > 10000 ? 5 : 9,
    warmup: 1,
    torch: { script: 'losses_eqco.py', args: ['eqco', String(B), String(D), String(queueSize)] },
    items: { count: B, unit: 'queries' },
    async setup() {
      const q = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const k = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const queue = tf.tidy(() => l2Normalize(tf.randomNormal([queueSize, D], 0, 1, 'float32', 3))) as tf.Tensor2D;
      const step = tf.grad((x: tf.Tensor) => eqcoLoss(x as tf.Tensor2D, k, queue));
      return {
        async run() {
          const g = step(q);
          await g.data();
          g.dispose();
        },
        dispose() {
          tf.dispose([q, k, queue]);
        },
      };
    },
  };
}

function simoCase(numNegatives: number): BenchCase {
  return {
    name: `loss-eqco/simo-${B}x${D}-k${numNegatives}`,
    description: `simoLoss forward+backward, query/keys [${B}, ${D}], ${numNegatives} in-batch negatives`,
    repeats: 9,
    warmup: 2,
    torch: { script: 'losses_eqco.py', args: ['simo', String(B), String(D), String(numNegatives)] },
    items: { count: B, unit: 'queries' },
    async setup() {
      const q = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const k = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const step = tf.grad((x: tf.Tensor) => simoLoss(x as tf.Tensor2D, k, { numNegatives, seed: 1 }));
      return {
        async run() {
          const g = step(q);
          await g.data();
          g.dispose();
        },
        dispose() {
          tf.dispose([q, k]);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [eqcoCase(4096), eqcoCase(65536), simoCase(255), simoCase(16)];
