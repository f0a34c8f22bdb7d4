/**
 * ProtoNCE (PCL) forward + backward (query gradient) at batch 256, dim 128
 * with queues of 4096 and 65536 and PCL's ImageNet clusterings: M = 3 with
 * k = 25000, 50000, 100000 and r = 16384 negative prototypes each (spec
 * §2(b), main_pcl.py defaults). Columns as the official code lays them out
 * (one positive column per row, `dedupePrototypes: false`) and a new
 * negative sample every step, as in training.
 * PyTorch reference: reference/losses_protonce.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, l2Normalize } from '@contrastive/core';
import { protoNceLoss, type Clustering } from '@contrastive/loss-protonce';
import type { BenchCase } from '../types';

const [B, D] = [256, 128];
const PCL_IMAGENET = [25_000, 50_000, 100_000];
const R = 16_384;
const TAU = 0.2;

/**
 * M random clusterings of a batch: unit prototypes [k, D], concentrations
 * with mean tau (PCL's rescaling, spec §2(a) step 7), uniform assignments.
 * The caller disposes the tensors.
 */
export function randomClusterings(batch: number, dim: number, sizes: readonly number[], seed: number): Clustering[] {
  const rng = createRng(seed);
  return sizes.map((k, m) =>
    tf.tidy(() => {
      const prototypes = l2Normalize(tf.randomNormal([k, dim], 0, 1, 'float32', seed + 10 * m)) as tf.Tensor2D;
      const raw = tf.randomUniform([k], 0.5, 1.5, 'float32', seed + 10 * m + 1);
      const concentration = tf.mul(raw, tf.div(TAU, tf.mean(raw))) as tf.Tensor1D;
      const assignment = Int32Array.from({ length: batch }, () => rng.int(k));
      return { prototypes, concentration, assignment };
    }),
  );
}

/** Disposes the tensors of {@link randomClusterings}. */
export function disposeClusterings(clusterings: readonly Clustering[]): void {
  tf.dispose(clusterings.flatMap((c) => [c.prototypes, c.concentration]));
}

function protoNceCase(queueSize: number): BenchCase {
  return {
    name: `loss-protonce/proto-nce-${B}x${D}-queue-${queueSize}-k25k-50k-100k-r${R}`,
    description: `protoNceLoss forward+backward (query), query/key [${B}, ${D}], queue [${queueSize}, ${D}], M=3 k=${PCL_IMAGENET.join('/')}, r=${R}, tau ${TAU}`,
    repeats: queueSize > 10000 ? 5 : 9,
    warmup: 2,
    torch: { script: 'losses_protonce.py', args: [String(B), String(D), String(queueSize), PCL_IMAGENET.join(','), String(R)] },
    items: { count: B, unit: 'queries' },
    async setup() {
      const q = tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const k = tf.randomNormal([B, D], 0, 1, 'float32', 2) as tf.Tensor2D;
      const queue = tf.tidy(() => l2Normalize(tf.randomNormal([queueSize, D], 0, 1, 'float32', 3))) as tf.Tensor2D;
      const clusterings = randomClusterings(B, D, PCL_IMAGENET, 100);
      let step = 0;
      const grad = tf.grad((x: tf.Tensor) =>
        protoNceLoss(
          { query: x as tf.Tensor2D, key: k, negatives: queue, clusterings },
          { temperature: TAU, negativePrototypes: R, dedupePrototypes: false, seed: step },
        ),
      );
      return {
        async run() {
          step += 1;
          const g = grad(q);
          await g.data();
          g.dispose();
        },
        dispose() {
          tf.dispose([q, k, queue]);
          disposeClusterings(clusterings);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [protoNceCase(4096), protoNceCase(65536)];
