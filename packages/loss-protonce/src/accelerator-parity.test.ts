/**
 * ProtoNCE and its prototype term on webgpu against cpu: value and gradients
 * from the same float32 inputs, read asynchronously (webgpu in Node has no
 * synchronous read). Prototypes and concentrations are inputs too, so their
 * (zero) gradients are compared; the assignments are JavaScript arrays, as
 * the loss takes them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { describeBackends, expectParity, seededInput, seededValues, useBackend, type ParityInput, inBothKernelModes } from '@contrastive/test-utils';
import { protoNceLoss, prototypeNceTerm, readAssignment, type Clustering, type ProtoNceOptions } from './index';

const m = (t: Tensor) => t as Tensor2D;

/** Concentrations phi in [low, low + spread): positive, as the E-step gives them. */
function concentrations(seed: number, k: number, low = 0.05, spread = 0.5): ParityInput {
  return { values: Array.from(seededValues(seed, k), (v) => low + spread * Math.abs(v)), shape: [k] };
}

/** A batch's assignment to k prototypes with repeated ids (rows sharing a cluster). */
function assignment(batch: number, k: number, seed: number): Int32Array {
  const used = Math.max(1, Math.min(k - 1, Math.ceil(batch / 2)));
  return Int32Array.from({ length: batch }, (_, i) => (i * 7 + seed) % used);
}

interface Level {
  k: number;
  ids: Int32Array;
}

/** Inputs [prototypes_0, concentration_0, prototypes_1, ...] of the levels. */
function levelInputs(seed: number, dim: number, levels: readonly Level[], low?: number): ParityInput[] {
  return levels.flatMap((l, i) => [seededInput(seed + 2 * i, [l.k, dim]), concentrations(seed + 2 * i + 1, l.k, low)]);
}

/** The clusterings from the level tensors (prototypes normalised inside the case, as the E-step's are). */
function clusterings(levels: readonly Level[], tensors: Tensor[]): Clustering[] {
  return levels.map((l, i) => ({
    prototypes: tf.div(m(tensors[2 * i]!), tf.norm(m(tensors[2 * i]!), 2, 1, true)) as Tensor2D,
    concentration: tensors[2 * i + 1] as Tensor1D,
    assignment: l.ids,
  }));
}

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('prototypeNceTerm: negatives, dedupe or not, unnormalised, small concentrations, batch 1', async () => {
      const cases: [number, number, number, ProtoNceOptions, number?][] = [
        // [B, d, k, options, smallest phi]
        [16, 32, 100, { negativePrototypes: 40 }],
        [16, 32, 100, { negativePrototypes: 40, dedupePrototypes: false }],
        [33, 128, 512, { negativePrototypes: 300, seed: 5 }, 0.02],
        [9, 8, 20, { negativePrototypes: 0 }],
        [9, 8, 20, { negativePrototypes: 10, normalize: false }],
        [1, 4, 6, { negativePrototypes: 5 }],
      ];
      for (const [batch, dim, k, options, low] of cases) {
        const level = { k, ids: assignment(batch, k, batch) };
        await expectParity(
          {
            inputs: [seededInput(1, [batch, dim]), ...levelInputs(2, dim, [level], low)],
            fn: (q, ...rest) => tf.tidy(() => prototypeNceTerm(m(q), clusterings([level], rest)[0]!, options)),
          },
          backend,
          `prototype term b=${batch} d=${dim} k=${k} ${JSON.stringify(options)}`,
        );
      }
    });

    it('protoNceLoss: InfoNCE alone, one and three clusterings, options of both terms', async () => {
      const cases: [number, number, number, number[], ProtoNceOptions][] = [
        // [B, d, queue, k per clustering, options]
        [16, 32, 64, [], { temperature: 0.2 }],
        [16, 32, 64, [50], { temperature: 0.2, negativePrototypes: 20 }],
        [24, 64, 256, [40, 80, 160], { temperature: 0.05, negativePrototypes: 16, seed: 3 }],
        [12, 16, 48, [30, 60], { negativePrototypes: 8, dedupePrototypes: false, stopGradientKey: false }],
        [12, 16, 48, [30], { negativePrototypes: 8, normalize: false, stopGradientNegatives: false }],
        [1, 8, 16, [5, 9], { negativePrototypes: 3 }],
      ];
      for (const [batch, dim, queue, ks, options] of cases) {
        const levels = ks.map((k, i) => ({ k, ids: assignment(batch, k, i) }));
        await expectParity(
          {
            inputs: [seededInput(11, [batch, dim]), seededInput(12, [batch, dim]), seededInput(13, [queue, dim]), ...levelInputs(14, dim, levels)],
            fn: (q, key, n, ...rest) =>
              tf.tidy(() => protoNceLoss({ query: m(q), key: m(key), negatives: m(n), clusterings: clusterings(levels, rest) }, options)),
          },
          backend,
          `protoNce b=${batch} K=${queue} k=[${ks}] ${JSON.stringify(options)}`,
        );
      }
      // A shared generator: the clusterings draw their negatives in order from it.
      const levels = [40, 70].map((k, i) => ({ k, ids: assignment(10, k, i) }));
      await expectParity(
        {
          inputs: [seededInput(21, [10, 16]), seededInput(22, [10, 16]), seededInput(23, [32, 16]), ...levelInputs(24, 16, levels)],
          fn: (q, key, n, ...rest) =>
            tf.tidy(() =>
              protoNceLoss(
                { query: m(q), key: m(key), negatives: m(n), clusterings: clusterings(levels, rest) },
                { negativePrototypes: 12, rng: createRng(9) },
              ),
            ),
        },
        backend,
        'protoNce with rng',
      );
    });

    it('readAssignment reads a device tensor asynchronously', async () => {
      await useBackend(backend);
      const ids = tf.tensor1d([3, 0, 7, 7, 2], 'int32');
      const computed = tf.tidy(() => tf.cast(tf.argMax(tf.oneHot(ids, 9), 1), 'int32')) as Tensor1D;
      expect(Array.from(await readAssignment(ids))).toEqual([3, 0, 7, 7, 2]);
      expect(Array.from(await readAssignment(computed))).toEqual([3, 0, 7, 7, 2]);
      tf.dispose([ids, computed]);
    });
  });
});
