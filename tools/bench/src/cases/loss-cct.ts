/**
 * CACR forward + backward at batch 256, dim 128: the small-scale form with 5
 * views (the paper's Ny = 4 plus one), and the MoCo-style form with 2 views
 * and queues of 4096 and 65536. PyTorch reference: reference/losses_cct.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
import type { BenchCase } from '../types';

const [B, D] = [256, 128];

function randomViews(count: number, seed: number): tf.Tensor2D[] {
  return Array.from({ length: count }, (_, i) => tf.randomNormal([B, D], 0, 1, 'float32', seed + i) as tf.Tensor2D);
}

function smallScaleCase(views: number): BenchCase {
  return {
    name: `loss-cct/cct-${views}views-${B}x${D}`,
    description: `cctLoss forward+backward, ${views} views [${B}, ${D}], detached plans`,
    repeats: 9,
    warmup: 2,
    torch: { script: 'losses_cct.py', args: ['cct', String(B), String(D), String(views)] },
    items: { count: B, unit: 'images' },
    async setup() {
      const z = randomViews(views, 1);
      const step = tf.grads((...xs: tf.Tensor[]) => cctLoss(xs as tf.Tensor2D[]));
      return {
        async run() {
          const grads = step(z);
          await grads[0]!.data();
          tf.dispose(grads);
        },
        dispose() {
          tf.dispose(z);
        },
      };
    },
  };
}

function queueCase(queueSize: number, views: number): BenchCase {
  return {
    name: `loss-cct/cct-queue-${views}views-${B}x${D}-queue-${queueSize}`,
    description: `cctQueueLoss forward+backward, ${views} views [${B}, ${D}], queue [${queueSize}, ${D}]`,
    repeats: queueSize > 10000 ? 5 : 9,
    warmup: 1,
    torch: { script: 'losses_cct.py', args: ['queue', String(B), String(D), String(views), String(queueSize)] },
    items: { count: B, unit: 'images' },
    async setup() {
      const q = randomViews(views, 1);
      const k = randomViews(views, 11);
      const queue = tf.tidy(() => l2Normalize(tf.randomNormal([queueSize, D], 0, 1, 'float32', 3))) as tf.Tensor2D;
      const step = tf.grads((...xs: tf.Tensor[]) => cctQueueLoss(xs as tf.Tensor2D[], k, queue));
      return {
        async run() {
          const grads = step(q);
          await grads[0]!.data();
          tf.dispose(grads);
        },
        dispose() {
          tf.dispose([...q, ...k, queue]);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [smallScaleCase(5), smallScaleCase(2), queueCase(4096, 2), queueCase(65536, 2)];
