/**
 * EqCo and SiMo on webgpu against cpu: value and gradients from the same
 * float32 inputs, read asynchronously (webgpu in Node has no synchronous
 * read). Keys, negatives and the queue are inputs too, so their (zero)
 * gradients are compared.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { describeBackends, expectParity, seededInput, inBothKernelModes } from '@contrastive/test-utils';
import { eqcoLoss, simoLoss, type EqcoLossOptions, type SimoLossOptions } from './index';

const m = (t: Tensor) => t as Tensor2D;

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('eqcoLoss: read-off and row-maximum log-sum-exps, alpha, unnormalised, batch 1', async () => {
      const cases: [number, number, number, EqcoLossOptions][] = [
        // [B, d, K, options]
        [16, 32, 100, {}],
        [16, 32, 100, { alpha: 100 }],
        [33, 128, 512, { temperature: 0.05, alpha: 4096 }],
        // 2/tau + log K >= 60: the row-maximum path.
        [33, 64, 512, { temperature: 0.03, alpha: 16 }],
        [10, 16, 37, { temperature: 0.5, normalize: false }],
        [10, 16, 37, { temperature: 0.07, normalize: false, alpha: 1 }],
        [1, 8, 1, { alpha: 1 }],
      ];
      for (const [batch, dim, queue, options] of cases) {
        await expectParity(
          {
            inputs: [seededInput(1, [batch, dim]), seededInput(2, [batch, dim]), seededInput(3, [queue, dim])],
            fn: (q, k, n) => eqcoLoss(m(q), m(k), m(n), options),
          },
          backend,
          `eqco b=${batch} d=${dim} K=${queue} ${JSON.stringify(options)}`,
        );
      }
    });

    it('simoLoss: all in-batch negatives, subsampled (offsets and 2K candidates), unnormalised, small temperatures', async () => {
      const cases: [number, number, SimoLossOptions][] = [
        // [B, d, options]
        [2, 4, {}],
        [16, 32, {}],
        [33, 128, { temperature: 0.05, alpha: 64 }],
        // 2/tau + 2|log(K/alpha)| + log B >= 60: the row-maximum path.
        [33, 64, { temperature: 0.03 }],
        // K < B - 1 with 2K >= B: the [B, B] offsets drop the unsampled negatives.
        [20, 16, { numNegatives: 12, seed: 3 }],
        // 2K < B: products with the 2K candidate keys and a per-row exclusion mask.
        [33, 32, { numNegatives: 5, seed: 1 }],
        [64, 32, { numNegatives: 16, seed: 7, temperature: 0.05 }],
        [9, 8, { numNegatives: 1 }],
        // Unnormalised: the candidates whenever K < B - 1, data-bounded masks.
        [12, 8, { normalize: false, temperature: 0.5 }],
        [12, 8, { normalize: false, temperature: 0.5, numNegatives: 7 }],
        [12, 8, { normalize: false, temperature: 0.5, numNegatives: 3 }],
      ];
      for (const [batch, dim, options] of cases) {
        const scale = options.normalize === false ? 0.5 : 1;
        await expectParity(
          { inputs: [seededInput(4, [batch, dim], scale), seededInput(5, [batch, dim], scale)], fn: (q, k) => simoLoss(m(q), m(k), options) },
          backend,
          `simo b=${batch} d=${dim} ${JSON.stringify(options)}`,
        );
      }
    });
  });
});
