/**
 * Wang & Isola alignment, uniformity and their sum (the STL-10 training loss,
 * weights 1 and 1, alpha 2, t 2) forward + backward at batch 256, dim 128,
 * rows normalised inside the loss. These losses take no negatives, so there
 * is no queue case. PyTorch reference: reference/losses_align_uniform.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { alignmentLoss, alignUniformLoss, uniformityLoss } from '@contrastive/loss-align-uniform';
import type { BenchCase } from '../types';

const [B, D] = [256, 128];

type Kind = 'alignment' | 'uniformity' | 'align-uniform';

const LOSSES: Record<Kind, { fn: string; views: 1 | 2; loss: (z: tf.Tensor2D[]) => tf.Scalar }> = {
  alignment: { fn: 'alignmentLoss', views: 2, loss: ([a, b]) => alignmentLoss(a!, b!) },
  uniformity: { fn: 'uniformityLoss', views: 1, loss: ([a]) => uniformityLoss(a!) },
  'align-uniform': { fn: 'alignUniformLoss', views: 2, loss: ([a, b]) => alignUniformLoss(a!, b!) },
};

function alignUniformCase(kind: Kind): BenchCase {
  const { fn, views, loss } = LOSSES[kind];
  return {
    name: `loss-align-uniform/${kind}-${B}x${D}`,
    description: `${fn} forward+backward (${views === 2 ? 'z1 and z2' : 'z'} [${B}, ${D}]), alpha 2, t 2`,
    repeats: 21,
    warmup: 3,
    torch: { script: 'losses_align_uniform.py', args: [kind, String(B), String(D)] },
    items: { count: B, unit: 'samples' },
    async setup() {
      const z = [1, 2].slice(0, views).map((seed) => tf.randomNormal([B, D], 0, 1, 'float32', seed) as tf.Tensor2D);
      const step = tf.grads((...xs: tf.Tensor[]) => loss(xs as tf.Tensor2D[]));
      return {
        async run() {
          const g = step(z);
          await Promise.all(g.map((t) => t.data()));
          tf.dispose(g);
        },
        dispose() {
          tf.dispose(z);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [alignUniformCase('alignment'), alignUniformCase('uniformity'), alignUniformCase('align-uniform')];
