/**
 * core's differentiable ops on webgpu against cpu: value and gradients from
 * the same float32 inputs, read asynchronously (webgpu in Node has no
 * synchronous read). The pure JavaScript helpers (checks, rng, resampleGrids)
 * run no kernels and are not repeated here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectParity, seededInput, useBackend, type ParityInput, inBothKernelModes } from '@contrastive/test-utils';
import {
  assertFinite,
  exclusionDepth,
  l2Normalize,
  l2NormalizeBackward,
  l2NormalizeParts,
  logSumExpLastAxis,
  offDiagonal,
  similarity,
  similarityToConstant,
  stopGradient,
  swapHalves,
  viewPairContrast,
  viewPairExclusion,
  type ViewPairContrastOptions,
} from './index';

/** A seeded [rows, cols] input with some rows set to zero. */
function withZeroRows(seed: number, rows: number, cols: number, zero: readonly number[], scale = 1): ParityInput {
  const input = seededInput(seed, [rows, cols], scale);
  const values = Float32Array.from(input.values);
  for (const r of zero) values.fill(0, r * cols, (r + 1) * cols);
  return { values, shape: [rows, cols] };
}

/** A per-pair temperature in the similarities (DySTreSS-like, even in s, in [0.1, 0.2]). */
const tauOf = (s: Tensor): Tensor => tf.add(tf.mul(tf.square(s), 0.1), 0.1);

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('l2Normalize: rows, zero rows, other axes, a large floor, int32', async () => {
      for (const [rows, cols] of [[1, 3], [33, 128]] as const) {
        await expectParity({ inputs: [seededInput(1, [rows, cols], 3)], fn: (x) => l2Normalize(x) }, backend, `l2 [${rows}, ${cols}]`);
      }
      // Zero rows: the value stays 0, the gradient is r dy with r = 1/sqrt(eps) = 1e6.
      await expectParity({ inputs: [withZeroRows(2, 6, 5, [0, 4])], fn: (x) => l2Normalize(x) }, backend, 'l2 zero rows');
      await expectParity({ inputs: [seededInput(3, [7, 5])], fn: (x) => l2Normalize(x, 0) }, backend, 'l2 axis 0');
      await expectParity({ inputs: [seededInput(4, [3, 4, 5])], fn: (x) => l2Normalize(x, 1) }, backend, 'l2 rank 3 axis 1');
      // A floor of 1 that rows of norm < 1 fall under (scale 0.3) and others do not.
      await expectParity({ inputs: [seededInput(5, [9, 4], 0.6)], fn: (x) => l2Normalize(x, -1, 1) }, backend, 'l2 epsilon 1');
      await expectParity(
        { inputs: [{ values: [3, 4, 0, 0, -1, 2], shape: [3, 2], dtype: 'int32' }], fn: (x) => l2Normalize(x) },
        backend,
        'l2 int32 (no gradient)',
      );
    });

    it('l2NormalizeParts and l2NormalizeBackward, the pieces fused ops call', async () => {
      for (const [epsilon, scale] of [[1e-12, 1], [1, 0.6]] as const) {
        await expectParity(
          {
            inputs: [withZeroRows(30, 9, 6, [2], scale)],
            fn: (x) =>
              tf.tidy(() => {
                const { y, r, above } = l2NormalizeParts(x, -1, epsilon);
                return tf.concat([y, r, above], 1);
              }),
            // A forward-only piece (`above` is a comparison, which tfjs does not differentiate).
            wrt: [],
          },
          backend,
          `l2NormalizeParts eps=${epsilon}`,
        );
        // The backward's value, and its (linear) dependence on dy.
        await expectParity(
          {
            inputs: [withZeroRows(31, 9, 6, [2], scale), seededInput(32, [9, 6])],
            fn: (x, dy) => tf.tidy(() => l2NormalizeBackward(dy, l2NormalizeParts(x, -1, epsilon))),
            wrt: [1],
          },
          backend,
          `l2NormalizeBackward eps=${epsilon}`,
        );
      }
      await expectParity(
        { inputs: [seededInput(33, [4, 5]), seededInput(34, [4, 5])], fn: (x, dy) => tf.tidy(() => l2NormalizeBackward(dy, l2NormalizeParts(x, 0), 0)), wrt: [1] },
        backend,
        'l2NormalizeBackward axis 0',
      );
    });

    it('assertFinite reads a device tensor asynchronously', async () => {
      await useBackend(backend);
      const x = tf.tensor1d([1, 2, 3]);
      const finite = tf.tidy(() => tf.softmax(x));
      const bad = tf.tidy(() => tf.div(x, tf.tensor1d([1, 0, 1])));
      await expect(assertFinite('f', 'x', finite)).resolves.toBeUndefined();
      await expect(assertFinite('f', 'x', bad)).rejects.toMatchObject({ code: 'NOT_FINITE', argument: 'x' });
      tf.dispose([x, finite, bad]);
    });

    it('stopGradient: the value, and no gradient through it', async () => {
      await expectParity({ inputs: [seededInput(6, [5, 3])], fn: (x) => tf.tidy(() => tf.mul(stopGradient(x), x)) }, backend, 'sg(x) x');
      await expectParity({ inputs: [seededInput(7, [4])], fn: (x) => tf.tidy(() => tf.sum(tf.exp(stopGradient(x)))) }, backend, 'sum exp sg(x)');
      await expectParity(
        { inputs: [{ values: [1, -2, 3], shape: [3], dtype: 'int32' }], fn: (x) => tf.tidy(() => tf.cast(stopGradient(x), 'float32')) },
        backend,
        'sg int32',
      );
    });

    it('similarity, similarityToConstant, offDiagonal, swapHalves', async () => {
      await expectParity({ inputs: [seededInput(8, [6, 16]), seededInput(9, [11, 16])], fn: (a, b) => tf.tidy(() => similarity(a, b)) }, backend, 'similarity');
      await expectParity(
        { inputs: [seededInput(10, [2, 5, 8]), seededInput(11, [2, 3, 8])], fn: (a, b) => tf.tidy(() => similarity(a, b)) },
        backend,
        'similarity batched',
      );
      await expectParity(
        { inputs: [seededInput(12, [6, 16]), seededInput(13, [11, 16])], fn: (a, b) => tf.tidy(() => similarityToConstant(a, b)) },
        backend,
        'similarityToConstant',
      );
      await expectParity({ inputs: [seededInput(14, [5, 5])], fn: (m) => offDiagonal(m) }, backend, 'offDiagonal [5, 5]');
      await expectParity({ inputs: [seededInput(15, [2, 3, 3])], fn: (m) => offDiagonal(m) }, backend, 'offDiagonal [2, 3, 3]');
      await expectParity({ inputs: [seededInput(16, [6, 4])], fn: (x) => swapHalves(x as Tensor2D) }, backend, 'swapHalves');
    });

    it('logSumExpLastAxis: small and large logits, rank 3, a single column', async () => {
      await expectParity({ inputs: [seededInput(17, [9, 33])], fn: (x) => tf.tidy(() => logSumExpLastAxis(x)) }, backend, 'lse');
      // Logits up to 200 (a 0.05 temperature on unit rows gives 20; far beyond exp's range either way).
      await expectParity({ inputs: [seededInput(18, [9, 33], 200)], fn: (x) => tf.tidy(() => logSumExpLastAxis(x)) }, backend, 'lse large');
      await expectParity({ inputs: [seededInput(19, [2, 3, 7], 5)], fn: (x) => tf.tidy(() => logSumExpLastAxis(x)) }, backend, 'lse rank 3');
      await expectParity({ inputs: [seededInput(20, [4, 1], 5)], fn: (x) => tf.tidy(() => logSumExpLastAxis(x)) }, backend, 'lse one column');
    });

    it('viewPairExclusion and exclusionDepth', async () => {
      for (const [batch, positives] of [[1, false], [3, true], [5, false]] as const) {
        await expectParity({ inputs: [], fn: () => viewPairExclusion(batch, positives) }, backend, `exclusion B=${batch} ${positives}`);
      }
      await expectParity({ inputs: [seededInput(21, [6, 4], 2)], fn: (u) => exclusionDepth(u as Tensor2D, 10) }, backend, 'exclusionDepth');
    });

    const contrast = (options: ViewPairContrastOptions, normalize: boolean) => (u: Tensor) =>
      tf.tidy(() => viewPairContrast((normalize ? l2Normalize(u) : u) as Tensor2D, options));

    it('viewPairContrast, one temperature: NT-Xent and DCL, small temperatures, batch 1 and odd batches', async () => {
      const cases: [number, number, number, boolean][] = [
        // [B, d, tau, decoupled]
        [1, 3, 0.5, false],
        [2, 4, 0.5, true],
        [8, 16, 0.1, false],
        [8, 16, 0.1, true],
        [33, 128, 0.05, false],
        [33, 128, 0.05, true],
        [64, 32, 0.2, false],
      ];
      for (const [batch, dim, tau, decoupled] of cases) {
        await expectParity(
          {
            inputs: [seededInput(22 + batch, [2 * batch, dim])],
            fn: contrast({ inverseTemperature: 1 / tau, maxInverseTemperature: 1 / tau, decoupled }, true),
          },
          backend,
          `contrast B=${batch} d=${dim} tau=${tau} decoupled=${decoupled}`,
        );
      }
      // Unnormalised rows: the exclusion depth comes from the data (no similarity bound).
      await expectParity(
        { inputs: [seededInput(40, [10, 6], 2)], fn: contrast({ inverseTemperature: 2, maxInverseTemperature: 2, decoupled: false }, false) },
        backend,
        'contrast unnormalised',
      );
    });

    it('viewPairContrast with a similarity bound: read-off and row-maximum log-sum-exps', async () => {
      for (const [decoupled, separateViews] of [[false, false], [true, false], [true, true]] as const) {
        for (const tau of [0.1, 0.02]) {
          // tau = 0.1: 2 * 1.001 * 10 + log(row) < 80, each row read off one entry;
          // tau = 0.02: 100 > 80, two row maxima, with the constant exclusion depth.
          await expectParity(
            {
              inputs: [seededInput(41, [26, 24])],
              fn: contrast({ inverseTemperature: 1 / tau, maxInverseTemperature: 1 / tau, decoupled, separateViews, similarityBound: 1.001 }, true),
            },
            backend,
            `bounded tau=${tau} decoupled=${decoupled} separate=${separateViews}`,
          );
        }
      }
      await expectParity(
        {
          inputs: [seededInput(42, [2, 8])],
          fn: contrast({ inverseTemperature: 5, maxInverseTemperature: 5, decoupled: false, similarityBound: 1.001 }, true),
        },
        backend,
        'bounded B=1',
      );
    });

    it('viewPairContrast with per-pair temperatures (1/tau and tau functions, detached)', async () => {
      const forms: [string, Pick<ViewPairContrastOptions, 'inverseTemperature' | 'temperature'>][] = [
        ['tau', { temperature: tauOf }],
        ['1/tau', { inverseTemperature: (s: Tensor) => tf.reciprocal(tauOf(s)) }],
      ];
      for (const [name, form] of forms) {
        for (const [decoupled, separateViews] of [[false, false], [true, false], [true, true]] as const) {
          for (const bound of [undefined, 1.001]) {
            await expectParity(
              {
                inputs: [seededInput(43, [14, 12])],
                fn: contrast(
                  { ...form, maxInverseTemperature: 10, decoupled, separateViews, ...(bound === undefined ? {} : { similarityBound: bound }) },
                  true,
                ),
              },
              backend,
              `${name} decoupled=${decoupled} separate=${separateViews} bound=${bound}`,
            );
          }
        }
      }
      await expectParity(
        { inputs: [seededInput(44, [2, 5])], fn: contrast({ temperature: tauOf, maxInverseTemperature: 10, decoupled: false }, true) },
        backend,
        'tau B=1',
      );
    });
  });
});
