/**
 * Every loss and helper of loss-infonce on webgpu against cpu: value and
 * gradients from the same float32 inputs, read asynchronously (webgpu in
 * Node has no synchronous read).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { describeBackends, expectParity, seededInput, inBothKernelModes } from '@contrastive/test-utils';
import {
  dclLoss,
  infoNceLoss,
  logSumExpRows,
  logSumExpWithFirst,
  maskLogits,
  ntXentLogits,
  ntXentLoss,
  type InfoNceOptions,
  type NtXentOptions,
} from './index';

const m = (t: Tensor) => t as Tensor2D;

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('NT-Xent: value and gradients as on cpu', async () => {
      const cases: [number, number, NtXentOptions][] = [
        [1, 3, { temperature: 0.5 }],
        [8, 16, { temperature: 0.1 }],
        [33, 128, { temperature: 0.05 }],
        [64, 32, { temperature: 0.2, reduction: 'simclr-code' }],
        [5, 8, { temperature: 0.5, normalize: false }],
        [12, 8, { temperature: 0.05, normalize: false }],
      ];
      for (const [batch, dim, options] of cases) {
        await expectParity(
          { inputs: [seededInput(1, [batch, dim]), seededInput(2, [batch, dim])], fn: (a, b) => ntXentLoss(m(a), m(b), options) },
          backend,
          `nt-xent b=${batch} d=${dim} ${JSON.stringify(options)}`,
        );
      }
    });

    it('NT-Xent logits (diagonal masked) and labels', async () => {
      for (const [batch, options] of [[1, { temperature: 0.5 }], [6, { temperature: 0.05 }], [7, { temperature: 0.2, normalize: false }]] as const) {
        await expectParity(
          {
            inputs: [seededInput(3, [batch, 8]), seededInput(4, [batch, 8])],
            fn: (a, b) => {
              const { logits, labels } = ntXentLogits(m(a), m(b), options);
              labels.dispose();
              return logits;
            },
          },
          backend,
          `nt-xent logits b=${batch}`,
        );
      }
      await expectParity(
        {
          inputs: [seededInput(5, [5, 4]), seededInput(6, [5, 4])],
          fn: (a, b) => {
            const { logits, labels } = ntXentLogits(m(a), m(b));
            const asFloat = tf.cast(labels, 'float32');
            tf.dispose([logits, labels]);
            return asFloat;
          },
          wrt: [],
        },
        backend,
        'nt-xent labels',
      );
    });

    it('InfoNCE with a queue: temperatures, normalisation, trainable key and negatives', async () => {
      const cases: [number, number, number, InfoNceOptions][] = [
        [16, 32, 100, { temperature: 0.2 }],
        [1, 8, 1, { temperature: 0.2 }],
        [33, 64, 512, { temperature: 0.05 }],
        [16, 32, 100, { temperature: 0.07, stopGradientKey: false, stopGradientNegatives: false }],
        [10, 16, 37, { temperature: 0.5, normalize: false }],
        [10, 16, 37, { temperature: 0.5, normalize: false, stopGradientKey: false, stopGradientNegatives: false }],
      ];
      for (const [batch, dim, queue, options] of cases) {
        await expectParity(
          {
            inputs: [seededInput(7, [batch, dim]), seededInput(8, [batch, dim]), seededInput(9, [queue, dim])],
            fn: (q, k, n) => infoNceLoss(m(q), m(k), m(n), options),
          },
          backend,
          `infonce b=${batch} d=${dim} K=${queue} ${JSON.stringify(options)}`,
        );
      }
    });

    it('DCL: value and gradients as on cpu', async () => {
      for (const [batch, dim, temperature, normalize] of [[2, 4, 0.5, true], [12, 8, 0.1, true], [33, 128, 0.05, true], [9, 6, 0.3, false]] as const) {
        await expectParity(
          { inputs: [seededInput(10, [batch, dim]), seededInput(11, [batch, dim])], fn: (a, b) => dclLoss(m(a), m(b), { temperature, normalize }) },
          backend,
          `dcl b=${batch} d=${dim} t=${temperature} normalize=${normalize}`,
        );
      }
    });

    it('log-sum-exp helpers and maskLogits', async () => {
      await expectParity({ inputs: [seededInput(12, [7, 19], 30)], fn: (x) => logSumExpRows(m(x)) }, backend, 'logSumExpRows');
      await expectParity({ inputs: [seededInput(13, [3, 1], 4)], fn: (x) => logSumExpRows(m(x)) }, backend, 'logSumExpRows one column');
      await expectParity(
        { inputs: [seededInput(14, [7], 30), seededInput(15, [7, 19], 30)], fn: (f, r) => logSumExpWithFirst(f as Tensor1D, m(r)) },
        backend,
        'logSumExpWithFirst',
      );
      // The first term far above and far below the rest.
      await expectParity(
        {
          inputs: [{ values: [100, -100, 0.5], shape: [3] }, seededInput(16, [3, 5])],
          fn: (f, r) => logSumExpWithFirst(f as Tensor1D, m(r)),
        },
        backend,
        'logSumExpWithFirst far apart',
      );
      const mask = Array.from({ length: 30 }, (_, i) => (i % 7 === 0 || i === 29 ? 1 : 0));
      await expectParity(
        {
          inputs: [seededInput(17, [5, 6], 3)],
          fn: (x) => tf.tidy(() => maskLogits(m(x), tf.tensor2d(mask, [5, 6], 'bool') as Tensor2D)),
        },
        backend,
        'maskLogits',
      );
      // Composed with the log-sum-exp, as the logits are used: masked entries get no weight.
      await expectParity(
        {
          inputs: [seededInput(18, [5, 6], 3)],
          fn: (x) => tf.tidy(() => logSumExpRows(maskLogits(m(x), tf.tensor2d(mask, [5, 6], 'bool') as Tensor2D))),
        },
        backend,
        'lse of masked logits',
      );
    });
  });
});
