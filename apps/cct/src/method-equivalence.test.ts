/**
 * The CCT/CACR method computes CACR (spec §6(a)). Small-scale form: for one
 * seeded batch its loss and gradients equal cctLoss of one online forward
 * over all V views (view v = rows vB..(v+1)B), with the preset's t+, t-,
 * alpha, beta, debiasing, tau+ and plan stop-gradient. Queue form: each
 * view's queries from its own online forward, keys of every view from an
 * independent key-encoder copy (each view's key batch shuffled and
 * unshuffled by hand), the queue as candidates (cctQueueLoss); no gradient
 * reaches any other variable; after the step the key encoder is exactly the
 * EMA and the queue holds the last view's keys at the pointer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l2Normalize } from '@contrastive/core';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
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
import { createCctMethod } from './method';
import { cctSchema, CCT_PRESETS, type CctConfig } from './index';
import { CCT_QUEUE_DEFAULTS, CCT_SMALL_SCALE_DEFAULTS } from './config';

const BATCH = 8;
/** Queue rows kept from a paper preset (K only sets how many candidates the same loss sums over; the preset tables check K). */
const MAX_TEST_QUEUE = 256;

function configWith(base: 'smoke' | 'smoke-queue', method: Record<string, unknown>, views?: number): CctConfig {
  const preset = CCT_PRESETS[base];
  return resolveConfig(cctSchema, { ...preset, ...(views === undefined ? {} : { augment: { ...preset.augment, views } }), method }) as CctConfig;
}

const cases: [string, CctConfig][] = [
  ...Object.entries(CCT_PRESETS).map(([name, preset]) => {
    const method = preset.method as Record<string, unknown>;
    const queue = method['form'] === 'queue';
    const queueSize = method['queueSize'] as number | undefined;
    const capped = queueSize === undefined ? method : { ...method, queueSize: Math.min(queueSize, MAX_TEST_QUEUE) };
    return [`preset ${name}`, configWith(queue ? 'smoke-queue' : 'smoke', capped, preset.augment.views)] as [string, CctConfig];
  }),
  // Values no preset and no default has.
  ['unusual values, small-scale, debiased', configWith('smoke', { form: 'small-scale', tPos: 0.7, tNeg: 1.3, alpha: 1.7, beta: 0.6, debiased: true, tauPlus: 0.23, detachWeights: false }, 4)],
  ['unusual values, small-scale, detached plans', configWith('smoke', { form: 'small-scale', tPos: 2.2, tNeg: 0.4, alpha: 0.8, beta: 1.9, detachWeights: true }, 3)],
  ['unusual values, queue', configWith('smoke-queue', { form: 'queue', tPos: 0.6, tNeg: 1.7, alpha: 1.3, beta: 0.7, detachWeights: false, queueSize: 12, momentum: 0.71, shuffleBn: true }, 3)],
];

describe('cct method = cctLoss / cctQueueLoss on explicitly built views, keys and queue', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s', (_, config) => {
    const m = config.method;
    const viewCount = config.augment.views;
    const ctx = methodContext(config);
    const method = createCctMethod(ctx);
    const indices = Int32Array.from({ length: BATCH }, (_, i) => i);
    const plans = { tPos: m.tPos, tNeg: m.tNeg, alpha: m.alpha, beta: m.beta, detachWeights: m.detachWeights };
    if (m.form === 'small-scale') {
      const views = seededViews(viewCount, BATCH, 500);
      const batch = { indices, epoch: 0, step: 0 };
      expectSameLossAndGradients(
        ctx.encoder,
        () => method.loss(views, batch),
        () => {
          // Unset fields take the small-scale defaults (no debiasing, tau+ 0.1, one pass over all views).
          const debiased = m.debiased ?? CCT_SMALL_SCALE_DEFAULTS.debiased;
          const tauPlus = m.tauPlus ?? CCT_SMALL_SCALE_DEFAULTS.tauPlus;
          const separately = (m.encodeViews ?? CCT_SMALL_SCALE_DEFAULTS.encodeViews) === 'separately';
          const z = separately
            ? views.map((v) => ctx.encoder.forward(v).projections)
            : (tf.split(ctx.encoder.forward(tf.concat(views, 0) as tf.Tensor4D).projections, viewCount, 0) as tf.Tensor2D[]);
          return cctLoss(z, { ...plans, debiased, tauPlus });
        },
      );
      expect(method.getState).toBeUndefined();
      tf.dispose(views);
    } else {
      const keyRef = ctx.createEncoder();
      const optimizer = tf.train.sgd(0.5);
      let queue = tf.clone(methodState(method).tensors!['queue']! as tf.Tensor2D);
      let pointer = 0;
      const queueSize = m.queueSize ?? CCT_QUEUE_DEFAULTS.queueSize;
      for (let step = 0; step < 2; step++) {
        const views = seededViews(viewCount, BATCH, 600 + 10 * step);
        const batch = { indices, epoch: 0, step };
        const replay = replayOf(ctx.rng);
        method.prepare!(views, batch);
        // One permutation per view, in view order.
        const keys = views.map((v) => referenceKeys(keyRef, v, m.shuffleBn ? replay.permutation(BATCH) : undefined));
        const candidates = queue;
        expectSameLossAndGradients(
          ctx.encoder,
          () => method.loss(views, batch),
          () => {
            // Per-GPU candidate groups: the mean of each group's loss over its own rows.
            const groups = m.candidateGroups ?? CCT_QUEUE_DEFAULTS.candidateGroups;
            const queries = views.map((v) => ctx.encoder.forward(v).projections);
            const size = BATCH / groups;
            const rows = (t: tf.Tensor2D, g: number) => tf.slice(t, [g * size, 0], [size, -1]);
            const perGroup = Array.from({ length: groups }, (_, g) =>
              cctQueueLoss(queries.map((q) => rows(q, g)), keys.map((k) => rows(k, g)), candidates, plans),
            );
            return tf.div(tf.addN(perGroup), groups) as tf.Scalar;
          },
        );
        optimizer.minimize(() => method.loss(views, batch));
        method.afterStep!(batch);
        emaStep(keyRef, ctx.encoder, m.momentum ?? CCT_QUEUE_DEFAULTS.momentum);
        const rows = Array.from({ length: BATCH }, (_, i) => (pointer + i) % queueSize);
        queue = tf.tidy(() => tf.tensorScatterUpdate(candidates, tf.tensor2d(rows, [BATCH, 1], 'int32'), l2Normalize(keys[viewCount - 1]!)) as tf.Tensor2D);
        pointer = (pointer + BATCH) % queueSize;
        const state = methodState(method);
        expect(state.user).toEqual({ momentumStep: step + 1, queuePointer: pointer });
        expectWeightsEqual(keyRef, state.weights!['momentum'] as tf.Tensor[], 1e-6);
        expect(maxAbsDiff(state.tensors!['queue']!, queue)).toBeLessThan(1e-6);
        tf.dispose([...views, ...keys, candidates]);
      }
      tf.dispose(queue);
      optimizer.dispose();
      keyRef.model.dispose();
    }
    method.dispose();
    ctx.encoder.model.dispose();
  });
});
