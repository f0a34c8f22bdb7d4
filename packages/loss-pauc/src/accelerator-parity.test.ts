/**
 * PAUC's loss and terms on webgpu against cpu: value and gradients from the
 * same float32 inputs, read asynchronously (webgpu in Node has no synchronous
 * read). Prototypes and concentrations are inputs too, so their (zero)
 * gradients are compared; the assignments are JavaScript arrays, as the loss
 * takes them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { describeBackends, expectParity, seededInput, seededValues, type ParityInput, inBothKernelModes } from '@contrastive/test-utils';
import type { Clustering } from '@contrastive/loss-protonce';
import {
  paucAlignmentTerm,
  paucCorrelationTerm,
  paucLoss,
  paucTerms,
  paucUniformityTerm,
  type PaucOptions,
  type PaucTermOptions,
} from './index';

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
    /** Inputs [query, query2, levels...] and the case's inputs object builder. */
    const termCase = (batch: number, dim: number, ks: readonly number[], low?: number) => {
      const levels = ks.map((k, i) => ({ k, ids: assignment(batch, k, i + batch) }));
      const inputs = [seededInput(31, [batch, dim]), seededInput(32, [batch, dim]), ...levelInputs(33, dim, levels, low)];
      const build = (q: Tensor, q2: Tensor, rest: Tensor[]) => ({ query: m(q), query2: m(q2), clusterings: clusterings(levels, rest) });
      return { inputs, build };
    };

    it('alignment, uniformity and correlation terms: one and two clusterings, t, unnormalised, small concentrations', async () => {
      const cases: [number, number, number[], PaucTermOptions, number?][] = [
        // [B, d, k per clustering, options, smallest phi]
        [8, 16, [20], {}],
        [33, 64, [50, 128], { uniformityT: 3 }],
        [16, 32, [64], { uniformityT: 0.5 }, 0.02],
        [12, 8, [24, 40], { normalize: false }],
        [2, 4, [5], {}],
      ];
      for (const [batch, dim, ks, options, low] of cases) {
        const { inputs, build } = termCase(batch, dim, ks, low);
        const label = `b=${batch} d=${dim} k=[${ks}] ${JSON.stringify(options)}`;
        await expectParity(
          // The alignment term reads the query and the assigned prototypes only.
          { inputs, fn: (q, q2, ...rest) => tf.tidy(() => paucAlignmentTerm(build(q, q2, rest), options)), wrt: [...inputs.keys()].filter((i) => i === 0 || (i >= 2 && i % 2 === 0)) },
          backend,
          `alignment ${label}`,
        );
        await expectParity(
          { inputs, fn: (q, q2, ...rest) => tf.tidy(() => paucUniformityTerm(build(q, q2, rest), options)), wrt: [...inputs.keys()].filter((i) => i !== 1) },
          backend,
          `uniformity ${label}`,
        );
        if (batch < 4) continue; // a 2-row batch's standardised columns are +-1 (no correlation to speak of)
        await expectParity(
          { inputs, fn: (q, q2, ...rest) => tf.tidy(() => paucCorrelationTerm(build(q, q2, rest), options)) },
          backend,
          `correlation ${label}`,
        );
      }
    });

    it('paucLoss: weights (each term alone, all, none), ProtoNCE options, no clusterings', async () => {
      const cases: [number, number, number[], PaucOptions][] = [
        [16, 32, [40], { negativePrototypes: 10 }],
        [24, 64, [30, 60], { negativePrototypes: 8, temperature: 0.05, alignmentWeight: 0.5, uniformityWeight: 2, correlationWeight: 0.1 }],
        [12, 16, [30], { negativePrototypes: 6, alignmentWeight: 1, uniformityWeight: 0, correlationWeight: 0 }],
        [12, 16, [30], { negativePrototypes: 6, alignmentWeight: 0, uniformityWeight: 1, correlationWeight: 0 }],
        [12, 16, [30], { negativePrototypes: 6, alignmentWeight: 0, uniformityWeight: 0, correlationWeight: 1 }],
        [12, 16, [30], { negativePrototypes: 6, alignmentWeight: 0, uniformityWeight: 0, correlationWeight: 0 }],
        [12, 16, [30, 45], { negativePrototypes: 6, normalize: false, uniformityT: 1, dedupePrototypes: false }],
        [12, 16, [], {}],
      ];
      for (const [batch, dim, ks, options] of cases) {
        const { inputs, build } = termCase(batch, dim, ks);
        const withQueue = [...inputs.slice(0, 2), seededInput(41, [48, dim]), seededInput(42, [batch, dim]), ...inputs.slice(2)];
        // query2 is read by the correlation term only.
        const correlated = ks.length > 0 && (options.correlationWeight ?? 0.01) > 0;
        await expectParity(
          {
            inputs: withQueue,
            wrt: [...withQueue.keys()].filter((i) => correlated || i !== 1),
            fn: (q, q2, n, key, ...rest) => tf.tidy(() => paucLoss({ ...build(q, q2, rest), key: m(key), negatives: m(n) }, options)),
          },
          backend,
          `pauc b=${batch} k=[${ks}] ${JSON.stringify(options)}`,
        );
      }
      // Batch 1 without the pair terms (they need two rows).
      const { inputs, build } = termCase(1, 8, [6]);
      await expectParity(
        {
          inputs: [inputs[0]!, seededInput(43, [8, 8]), seededInput(44, [1, 8]), ...inputs.slice(2)],
          fn: (q, n, key, ...rest) =>
            tf.tidy(() => {
              const { query, clusterings: c } = build(q, q, rest);
              return paucLoss({ query, clusterings: c, key: m(key), negatives: m(n) }, { negativePrototypes: 3, uniformityWeight: 0, correlationWeight: 0 });
            }),
        },
        backend,
        'pauc b=1 alignment only',
      );
    });

    it('paucTerms: the four unweighted terms', async () => {
      const { inputs, build } = termCase(20, 32, [30, 50]);
      await expectParity(
        {
          inputs: [...inputs.slice(0, 2), seededInput(45, [40, 32]), seededInput(46, [20, 32]), ...inputs.slice(2)],
          fn: (q, q2, n, key, ...rest) =>
            tf.tidy(() => {
              const t = paucTerms({ ...build(q, q2, rest), key: m(key), negatives: m(n) }, { negativePrototypes: 9, uniformityT: 2 });
              return tf.stack([t.protoNce, t.alignment, t.uniformity, t.correlation]);
            }),
        },
        backend,
        'pauc terms',
      );
    });
  });
});
