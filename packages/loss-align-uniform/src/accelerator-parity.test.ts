/**
 * The alignment, uniformity and combined losses on webgpu against cpu: value
 * and gradients from the same float32 inputs, read asynchronously (webgpu in
 * Node has no synchronous read).
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { describeBackends, expectParity, seededInput, type ParityInput, inBothKernelModes } from '@contrastive/test-utils';
import { alignmentLoss, alignUniformLoss, uniformityLoss, type AlignUniformOptions } from './index';

const m = (t: Tensor) => t as Tensor2D;

/** `input` with rows `rows` copied from `from` (zero distances between the two views there). */
function sharingRows(input: ParityInput, from: ParityInput, rows: readonly number[]): ParityInput {
  const cols = input.shape[1]!;
  const values = Float32Array.from(input.values);
  for (const r of rows) for (let c = 0; c < cols; c++) values[r * cols + c] = from.values[r * cols + c]!;
  return { values, shape: input.shape };
}

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('alignment: alpha 2 (fused op) and other exponents, unnormalised, batch 1', async () => {
      const cases: [number, number, number, boolean][] = [
        // [B, d, alpha, normalize]
        [1, 3, 2, true],
        [33, 128, 2, true],
        [33, 128, 1, true],
        [12, 16, 0.5, true],
        [12, 16, 3, true],
        [7, 5, 2, false],
        [7, 5, 1.5, false],
      ];
      for (const [batch, dim, alpha, normalize] of cases) {
        await expectParity(
          { inputs: [seededInput(1, [batch, dim]), seededInput(2, [batch, dim])], fn: (a, b) => alignmentLoss(m(a), m(b), { alpha, normalize }) },
          backend,
          `alignment b=${batch} d=${dim} alpha=${alpha} normalize=${normalize}`,
        );
      }
    });

    it('alignment at zero distance (the floored power)', async () => {
      const a = seededInput(3, [6, 4]);
      const b = sharingRows(seededInput(4, [6, 4]), a, [0, 3, 5]);
      for (const alpha of [0.5, 1, 2, 3]) {
        await expectParity({ inputs: [a, b], fn: (x, y) => alignmentLoss(m(x), m(y), { alpha }) }, backend, `alignment equal rows alpha=${alpha}`);
      }
    });

    it('uniformity: t from 0.05 to 10, unnormalised rows, batch 2 and odd batches', async () => {
      const cases: [number, number, number, boolean][] = [
        // [n, d, t, normalize]
        [2, 3, 2, true],
        [33, 128, 2, true],
        [64, 32, 0.05, true],
        [17, 8, 10, true],
        [9, 6, 2, false],
        [9, 6, 10, false],
      ];
      for (const [n, dim, t, normalize] of cases) {
        await expectParity(
          { inputs: [seededInput(5, [n, dim], normalize ? 1 : 0.7)], fn: (z) => uniformityLoss(m(z), { t, normalize }) },
          backend,
          `uniformity n=${n} d=${dim} t=${t} normalize=${normalize}`,
        );
      }
    });

    it('alignUniformLoss: weights, exponents, scales, a term switched off', async () => {
      const cases: AlignUniformOptions[] = [
        {},
        { alignWeight: 3, uniformWeight: 1, t: 3 },
        { alpha: 1, t: 0.5, alignWeight: 0.5, uniformWeight: 2 },
        { alignWeight: 0 },
        { uniformWeight: 0, alpha: 3 },
        { normalize: false, t: 1 },
      ];
      for (const options of cases) {
        await expectParity(
          { inputs: [seededInput(6, [24, 16]), seededInput(7, [24, 16])], fn: (a, b) => alignUniformLoss(m(a), m(b), options) },
          backend,
          `alignUniform ${JSON.stringify(options)}`,
        );
      }
      await expectParity(
        { inputs: [seededInput(8, [2, 5]), seededInput(9, [2, 5])], fn: (a, b) => alignUniformLoss(m(a), m(b)) },
        backend,
        'alignUniform b=2',
      );
    });
  });
});
