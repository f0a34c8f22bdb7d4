/**
 * CCT / CACR on webgpu against cpu: value and gradients from the same
 * float32 inputs, read asynchronously (webgpu in Node has no synchronous
 * read). The small-scale form is one fused custom op (closed-form gradient,
 * normalisation inside); the queue form has its own detached custom ops.
 * Keys and the queue are inputs too, so their (zero) gradients are compared.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { describeBackends, expectParity, seededInput, type ParityInput, inBothKernelModes } from '@contrastive/test-utils';
import { cctLoss, cctQueueLoss, cctQueueTerms, cctTerms, type CctOptions, type CctQueueOptions } from './index';
import { queueTransport } from './queue-transport';
import { detachedLogNormalizer, transportCost } from './transport';

const m = (t: Tensor) => t as Tensor2D;

/** V seeded views [B, d]. */
function views(seed: number, v: number, batch: number, dim: number, scale = 1): ParityInput[] {
  return Array.from({ length: v }, (_, i) => seededInput(seed + i, [batch, dim], scale));
}

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('cctLoss and cctTerms (fused op): view counts, plan temperatures, debiased, weights through the plans, unnormalised', async () => {
      const cases: [number, number, number, CctOptions][] = [
        // [V, B, d, options]
        [2, 2, 3, {}],
        [2, 16, 32, {}],
        [3, 12, 16, { tNeg: 2 }],
        [5, 9, 16, {}],
        [5, 33, 64, { tPos: 2, tNeg: 2, alpha: 3, beta: 3 }],
        [3, 12, 16, { tPos: 0, tNeg: 0 }],
        [3, 12, 16, { debiased: true }],
        [4, 10, 8, { debiased: true, tauPlus: 0.3, detachWeights: false }],
        [3, 12, 16, { detachWeights: false, tNeg: 2 }],
        [3, 12, 16, { normalize: false }],
        [3, 12, 16, { normalize: false, detachWeights: false, tNeg: 0 }],
        [2, 64, 32, { tNeg: 5 }],
      ];
      for (const [v, batch, dim, options] of cases) {
        const scale = options.normalize === false ? 0.4 : 1;
        const label = `V=${v} b=${batch} d=${dim} ${JSON.stringify(options)}`;
        await expectParity({ inputs: views(1, v, batch, dim, scale), fn: (...z) => cctLoss(z.map(m), options) }, backend, `cct ${label}`);
        await expectParity(
          {
            inputs: views(1, v, batch, dim, scale),
            fn: (...z) => {
              const { attraction, repulsion } = cctTerms(z.map(m), options);
              const both = tf.stack([attraction, repulsion]);
              tf.dispose([attraction, repulsion]);
              return both;
            },
          },
          backend,
          `cct terms ${label}`,
        );
      }
    });

    it('cctQueueLoss and cctQueueTerms: view counts, plans, batch 1, weights through the plans, unnormalised', async () => {
      const cases: [number, number, number, number, CctQueueOptions][] = [
        // [V, B, d, K, options]
        [2, 16, 32, 128, {}],
        [2, 1, 8, 16, {}],
        [3, 12, 16, 64, { tPos: 2, tNeg: 0.9, alpha: 3, beta: 3 }],
        [2, 33, 128, 512, { tNeg: 5 }],
        [4, 6, 16, 40, { detachWeights: false }],
        [2, 1, 8, 16, { detachWeights: false }],
        [3, 8, 8, 30, { normalize: false }],
        [3, 8, 8, 30, { normalize: false, detachWeights: false, tPos: 0 }],
      ];
      for (const [v, batch, dim, queue, options] of cases) {
        const scale = options.normalize === false ? 0.4 : 1;
        const inputs = [...views(11, v, batch, dim, scale), ...views(21, v, batch, dim, scale), seededInput(31, [queue, dim], scale)];
        const split = (t: Tensor[]) => [t.slice(0, v).map(m), t.slice(v, 2 * v).map(m), m(t[2 * v]!)] as const;
        const label = `V=${v} b=${batch} d=${dim} K=${queue} ${JSON.stringify(options)}`;
        await expectParity({ inputs, fn: (...t) => cctQueueLoss(...split(t), options) }, backend, `cct queue ${label}`);
        await expectParity(
          {
            inputs,
            fn: (...t) => {
              const { attraction, repulsion } = cctQueueTerms(...split(t), options);
              const both = tf.stack([attraction, repulsion]);
              tf.dispose([attraction, repulsion]);
              return both;
            },
          },
          backend,
          `cct queue terms ${label}`,
        );
      }
    });

    it('internal custom ops: detached transport cost, log-normaliser and queue transport', async () => {
      await expectParity(
        { inputs: [seededInput(41, [4, 6], 2)], fn: (c) => tf.tidy(() => transportCost(tf.abs(c), -2, true)) },
        backend,
        'transportCost detached',
      );
      await expectParity(
        { inputs: [seededInput(42, [4, 6], 2)], fn: (c) => tf.tidy(() => transportCost(tf.abs(c), 1.5, false)) },
        backend,
        'transportCost through the plan',
      );
      await expectParity({ inputs: [seededInput(43, [5, 9], 30)], fn: (x) => tf.tidy(() => detachedLogNormalizer(x)) }, backend, 'detachedLogNormalizer');
      for (const detach of [true, false]) {
        await expectParity(
          { inputs: [seededInput(44, [7, 16]), seededInput(45, [50, 16])], fn: (q, n) => tf.tidy(() => queueTransport(q, n, 1.5, detach)) },
          backend,
          `queueTransport detach=${detach}`,
        );
      }
    });
  });
});
