/**
 * The MoCo method computes MoCo (spec §1(a), §0.4): for one seeded batch its
 * loss and gradients equal InfoNCE computed directly on explicitly built
 * inputs (queries from the online encoder on view 1, keys from an independent
 * copy of the key encoder on view 2 with the key batch shuffled and
 * unshuffled by hand, the queue as negatives, the preset's temperature); no
 * gradient reaches the key encoder or the queue; after the step the key
 * encoder is exactly the EMA of the online weights and the queue holds the
 * new keys at the pointer (wrapping around), which the next step's loss uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l2Normalize } from '@contrastive/core';
import { infoNceLoss } from '@contrastive/loss-infonce';
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
import { createMocoMethod } from './method';
import { mocoSchema, MOCO_PRESETS, type MocoConfig } from './index';

const BATCH = 8;

/** The smoke model (conv-net, 2 BN groups) with `method` taken from a preset, or overridden. */
function configWith(method: Record<string, unknown>): MocoConfig {
  return resolveConfig(mocoSchema, { ...MOCO_PRESETS.smoke, method }) as MocoConfig;
}

/**
 * Queue rows kept from a paper preset: K only sets how many rows the same
 * InfoNCE sums over (the preset tables check K itself), and a 65536-row queue
 * takes minutes on the cpu backend.
 */
const MAX_TEST_QUEUE = 256;

const cases: [string, MocoConfig][] = [
  ...(['paper-imagenet', 'paper-imagenet-v1', 'paper-cifar10-demo', 'cpu-fashion-mnist', 'smoke'] as const).map((name) => {
    const method = MOCO_PRESETS[name].method;
    return [`preset ${name}`, configWith({ ...method, queueSize: Math.min(method.queueSize, MAX_TEST_QUEUE) })] as [string, MocoConfig];
  }),
  // Values no preset and no default has: a method that ignored a field would differ.
  ['unusual values, shuffled keys', configWith({ temperature: 0.37, queueSize: 12, momentum: 0.61, shuffleKeys: true })],
  ['unusual values, plain keys', configWith({ temperature: 0.53, queueSize: 12, momentum: 0.83, shuffleKeys: false })],
];

describe('moco method = InfoNCE(online(view 1), EMA key encoder(view 2), queue)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s: loss, gradients, EMA and queue over two steps', (_, config) => {
    const m = config.method;
    const ctx = methodContext(config);
    const method = createMocoMethod(ctx);
    const keyRef = ctx.createEncoder();
    const indices = Int32Array.from({ length: BATCH }, (_, i) => i);
    const optimizer = tf.train.sgd(0.5);
    let expectedQueue = tf.clone(methodState(method).tensors!['queue']! as tf.Tensor2D);
    let pointer = 0;
    expect(expectedQueue.shape).toEqual([m.queueSize, ctx.encoder.projectionDim]);

    for (let step = 0; step < 2; step++) {
      const batch = { indices, epoch: 0, step };
      const views = seededViews(2, BATCH, 100 + 10 * step);
      const replay = replayOf(ctx.rng);
      method.prepare!(views, batch);
      const order = m.shuffleKeys ? replay.permutation(BATCH) : undefined;
      const keys = referenceKeys(keyRef, views[1]!, order);
      const queue = expectedQueue;
      expectSameLossAndGradients(
        ctx.encoder,
        () => method.loss(views, batch),
        () => infoNceLoss(ctx.encoder.forward(views[0]!).projections, keys, queue, { temperature: m.temperature }),
      );

      // The optimiser step, then the method's after-step work.
      optimizer.minimize(() => method.loss(views, batch));
      method.afterStep!(batch);
      emaStep(keyRef, ctx.encoder, m.momentum);
      const rows = Array.from({ length: BATCH }, (_, i) => (pointer + i) % m.queueSize);
      expectedQueue = tf.tidy(() => tf.tensorScatterUpdate(queue, tf.tensor2d(rows, [BATCH, 1], 'int32'), l2Normalize(keys)) as tf.Tensor2D);
      pointer = (pointer + BATCH) % m.queueSize;

      const state = methodState(method);
      expect(state.user).toEqual({ momentumStep: step + 1, queuePointer: pointer });
      // Every key weight: trainable ones by the EMA, BN statistics from the key encoder's own passes.
      expectWeightsEqual(keyRef, state.weights!['momentum'] as tf.Tensor[], 1e-6);
      expect(maxAbsDiff(state.tensors!['queue']!, expectedQueue)).toBeLessThan(1e-6);
      // The key encoder moved: it is not the online encoder.
      const online = ctx.encoder.model.weights.find((w) => w.trainable)!;
      expect(maxAbsDiff(online.read(), keyRef.model.weights[0]!.read())).toBeGreaterThan(0);
      tf.dispose([...views, keys, queue]);
    }
    tf.dispose(expectedQueue);
    optimizer.dispose();
    method.dispose();
    keyRef.model.dispose();
    ctx.encoder.model.dispose();
  });
});
