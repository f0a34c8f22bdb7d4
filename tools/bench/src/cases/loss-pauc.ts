/**
 * PAUC forward + backward (gradients for both online views) at batch 256,
 * dim 128 with queues of 4096 and 65536, every term on with the package
 * defaults (lambda_a 1, lambda_u 1, lambda_c 0.01, t 2; spec §3(c)) and the
 * PAUC app's ImageNet-100 clusterings: M = 3 with k = 2500, 5000, 10000
 * (spec §3(d)) and r = 2048 negative prototypes (PCL's 16384 exceeds
 * k_min - B here; spec §2(b)). A new negative sample every step.
 * PyTorch reference: reference/losses_pauc.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { paucLoss } from '@contrastive/loss-pauc';
import type { BenchCase } from '../types';
import { disposeClusterings, randomClusterings } from './loss-protonce';

const [B, D] = [256, 128];
const IMAGENET_100 = [2500, 5000, 10_000];
const R = 2048;

function paucCase(queueSize: number): BenchCase {
  return {
    name: `loss-pauc/pauc-${B}x${D}-queue-${queueSize}-k2.5k-5k-10k-r${R}`,
    description: `paucLoss forward+backward (query, query2), [${B}, ${D}] views, queue [${queueSize}, ${D}], M=3 k=${IMAGENET_100.join('/')}, r=${R}, all terms on`,
    repeats: queueSize > 10000 ? 5 : 9,
    warmup: 2,
    torch: { script: 'losses_pauc.py', args: [String(B), String(D), String(queueSize), IMAGENET_100.join(','), String(R)] },
    items: { count: B, unit: 'queries' },
    async setup() {
      const q1 = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const q2 = tf.randomNormal([B, D], 0, 1, 'float32', 4) as tf.Tensor2D;
      const k = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const queue = tf.tidy(() => l2Normalize(tf.randomNormal([queueSize, D], 0, 1, 'float32', 3))) as tf.Tensor2D;
      const clusterings = randomClusterings(B, D, IMAGENET_100, 200);
      let step = 0;
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        paucLoss(
          { query: a as tf.Tensor2D, query2: b as tf.Tensor2D, key: k, negatives: queue, clusterings },
          { temperature: 0.2, negativePrototypes: R, seed: step },
        ),
      );
      return {
        async run() {
          step += 1;
          const g = grads([q1, q2]);
          await Promise.all(g.map((t) => t.data()));
          tf.dispose(g);
        },
        dispose() {
          tf.dispose([q1, q2, k, queue]);
          disposeClusterings(clusterings);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [paucCase(4096), paucCase(65536)];
