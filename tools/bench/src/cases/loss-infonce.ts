/**
 * NT-Xent, DCL (in-batch) and MoCo InfoNCE (queues of 4096 and 65536)
 * forward + backward at batch 256, dim 128.
 * PyTorch reference: reference/losses_infonce.py (one thread).
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { dclLoss, infoNceLoss, ntXentLoss } from '@contrastive/loss-infonce';
import type { BenchCase } from '../types';

const [B, D] = [256, 128];

function pairCase(kind: 'nt-xent' | 'dcl'): BenchCase {
  const loss = kind === 'nt-xent' ? ntXentLoss : dclLoss;
  return {
    name: `loss-infonce/${kind}-${B}x${D}`,
    description: `${kind === 'nt-xent' ? 'ntXentLoss' : 'dclLoss'} forward+backward (both views), z1/z2 [${B}, ${D}], tau 0.1`,
    repeats: 15,
    warmup: 3,
    torch: { script: 'losses_infonce.py', args: [kind, String(B), String(D), '0'] },
    items: { count: B, unit: 'pairs' },
    async setup() {
      const z1 = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const z2 = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const step = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.1 }));
      return {
        async run() {
          const g = step([z1, z2]);
          await Promise.all(g.map((t) => t.data()));
          tf.dispose(g);
        },
        dispose() {
          tf.dispose([z1, z2]);
        },
      };
    },
  };
}

function queueCase(queueSize: number): BenchCase {
  return {
    name: `loss-infonce/info-nce-${B}x${D}-queue-${queueSize}`,
    description: `infoNceLoss forward+backward (query), query/key [${B}, ${D}], queue [${queueSize}, ${D}], tau 0.2`,
    repeats: queueSize > 10000 ? 7 : 11,
    warmup: 2,
    torch: { script: 'losses_infonce.py', args: ['info-nce', String(B), String(D), String(queueSize)] },
    items: { count: B, unit: 'queries' },
    async setup() {
      const q = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const k = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const queue = tf.tidy(() => l2Normalize(tf.randomNormal([queueSize, D], 0, 1, 'float32', 3))) as tf.Tensor2D;
      const step = tf.grad((x: tf.Tensor) => infoNceLoss(x as tf.Tensor2D, k, queue, { temperature: 0.2 }));
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

export const cases: BenchCase[] = [pairCase('nt-xent'), pairCase('dcl'), queueCase(4096), queueCase(65536)];
