/**
 * The EqCo method computes SiMo and MoCo v2 + EqCo (spec §5(a), §1(c),
 * §0.4): for one seeded batch its loss and gradients equal simoLoss /
 * eqcoLoss on explicitly built inputs (queries from the online encoder on
 * view 1, keys of an independent key-encoder copy on view 2 shuffled and
 * unshuffled by hand, in-batch keys or the queue as negatives, the preset's
 * tau, alpha and K); no gradient reaches any other variable; after the step
 * the key encoder is exactly the EMA of the online weights and (MoCo-EqCo)
 * the queue holds the new keys at the pointer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l2Normalize } from '@contrastive/core';
import { eqcoLoss, simoLoss } from '@contrastive/loss-eqco';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import {
  emaStep,
  expectSameLossAndGradients,
  expectWeightsEqual,
  maxAbsDiff,
  methodContext,
  methodState,
  referenceKeys,
  replayOf,
  seededViews,
} from '../../kit/src/testing/method-harness';
import { createEqcoMethod } from './method';
import { eqcoSchema, EQCO_PRESETS, type EqcoConfig } from './index';

const BATCH = 8;
/** Queue rows kept from a paper preset (K only sets how many rows the same loss sums over; the preset tables check K). */
const MAX_TEST_QUEUE = 256;

function configWith(method: Record<string, unknown>): EqcoConfig {
  return resolveConfig(eqcoSchema, { ...EQCO_PRESETS.smoke, method }) as EqcoConfig;
}

const cases: [string, EqcoConfig][] = [
  ...Object.entries(EQCO_PRESETS).map(([name, preset]) => {
    const method = preset.method as Record<string, unknown>;
    const queueSize = method['queueSize'] as number | undefined;
    return [`preset ${name}`, configWith(queueSize === undefined ? method : { ...method, queueSize: Math.min(queueSize, MAX_TEST_QUEUE) })] as [string, EqcoConfig];
  }),
  // Values no preset and no default has; SiMo with K < B - 1 subsamples the negatives.
  ['unusual values, simo, K 3', configWith({ variant: 'simo', temperature: 0.37, alpha: 17, numNegatives: 3, momentum: 0.61, shuffleBn: true })],
  ['unusual values, moco-eqco', configWith({ variant: 'moco-eqco', temperature: 0.29, alpha: 333, queueSize: 12, momentum: 0.77, shuffleBn: false })],
];

describe('eqco method = simoLoss / eqcoLoss(online(view 1), EMA key encoder(view 2), negatives)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s: loss, gradients, EMA and queue over two steps', (_, config) => {
    const m = config.method;
    const ctx = methodContext(config);
    const method = createEqcoMethod(ctx);
    const keyRef = ctx.createEncoder();
    const indices = Int32Array.from({ length: BATCH }, (_, i) => i);
    const optimizer = tf.train.sgd(0.5);
    const withQueue = m.variant === 'moco-eqco';
    let queue = withQueue ? tf.clone(methodState(method).tensors!['queue']! as tf.Tensor2D) : undefined;
    if (!withQueue) expect(methodState(method).tensors).toBeUndefined();
    let pointer = 0;

    for (let step = 0; step < 2; step++) {
      const batch = { indices, epoch: 0, step: 5 + step };
      const views = seededViews(2, BATCH, 400 + 10 * step);
      const replay = replayOf(ctx.rng);
      method.prepare!(views, batch);
      const keys = referenceKeys(keyRef, views[1]!, m.shuffleBn ? replay.permutation(BATCH) : undefined);
      const negatives = queue;
      expectSameLossAndGradients(
        ctx.encoder,
        () => method.loss(views, batch),
        () => {
          const query = ctx.encoder.forward(views[0]!).projections;
          return negatives === undefined
            ? // A fresh subsample each step, seeded by the global step.
              simoLoss(query, keys, { temperature: m.temperature, alpha: m.alpha, numNegatives: m.numNegatives, seed: batch.step })
            : eqcoLoss(query, keys, negatives, { temperature: m.temperature, alpha: m.alpha });
        },
      );
      optimizer.minimize(() => method.loss(views, batch));
      method.afterStep!(batch);
      emaStep(keyRef, ctx.encoder, m.momentum);
      const state = methodState(method);
      expectWeightsEqual(keyRef, state.weights!['momentum'] as tf.Tensor[], 1e-6);
      if (negatives !== undefined) {
        const size = m.queueSize!;
        const rows = Array.from({ length: BATCH }, (_, i) => (pointer + i) % size);
        queue = tf.tidy(() => tf.tensorScatterUpdate(negatives, tf.tensor2d(rows, [BATCH, 1], 'int32'), l2Normalize(keys)) as tf.Tensor2D);
        pointer = (pointer + BATCH) % size;
        expect(state.user).toEqual({ momentumStep: step + 1, queuePointer: pointer });
        expect(maxAbsDiff(state.tensors!['queue']!, queue)).toBeLessThan(1e-6);
      }
      tf.dispose([...views, keys, ...(negatives === undefined ? [] : [negatives])]);
    }
    tf.dispose(queue ?? []);
    optimizer.dispose();
    method.dispose();
    keyRef.model.dispose();
    ctx.encoder.model.dispose();
  });
});
