/**
 * Single-device shuffle-BN (spec §0.4) in the momentum branch, with two BN
 * groups: the key batch is permuted before the key encoder (so each group's
 * batch statistics come from other images than the queries' groups: the keys
 * differ from an unshuffled forward) and the keys are put back afterwards
 * (row i is still image i's key: it equals the hand-built shuffled and
 * unshuffled forward, and its nearest plain key is image i's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { useBackend } from '@contrastive/test-utils';
import { createMomentumBranch } from './momentum-branch';
import type { BaseConfig } from './config-schema';
import { maxAbsDiff, methodContext, referenceKeys, replayOf, seededViews } from './testing/method-harness';

const BATCH = 8;

/** The smallest config the branch reads: a conv-net with a MoCo v2 head and `groups` BN groups. */
function configWith(groups: number): BaseConfig {
  return {
    seed: 4,
    model: { backbone: 'conv-net', convChannels: [8, 16], head: 'moco-v2', batchNormGroups: groups, stem: 'cifar' },
  } as unknown as BaseConfig;
}

describe('momentum branch: shuffle-BN with two BN groups', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('shuffles the key batch before the key encoder and unshuffles the keys after it', () => {
    const ctx = methodContext(configWith(2), { rngSeed: 21 });
    const [images] = seededViews(1, BATCH, 900) as [tf.Tensor4D];
    const shuffled = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: true }, createRng(21));
    const plain = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: false });
    const order = replayOf(createRng(21)).permutation(BATCH);
    // The permutation moves images across the two groups of four.
    expect(Array.from(order.slice(0, 4)).some((i) => i >= 4)).toBe(true);
    shuffled.prepare([images]);
    plain.prepare([images]);
    const keys = shuffled.keys();
    const plainKeys = plain.keys();

    // 1. Shuffled before the encoder: other group statistics, other keys.
    expect(maxAbsDiff(keys, plainKeys)).toBeGreaterThan(1e-3);
    // 2. The exact shuffled-then-unshuffled forward, written out by hand.
    const keyRef = ctx.createEncoder();
    const expected = referenceKeys(keyRef, images, order);
    expect(maxAbsDiff(keys, expected)).toBeLessThan(1e-5);
    // 3. Unshuffled: key i is image i's (its nearest plain key), never the key of the image shuffled into row i.
    const nearest = tf.tidy(() => {
      const unit = (t: tf.Tensor2D) => tf.div(t, tf.norm(t, 2, 1, true));
      return Array.from(tf.argMax(tf.matMul(unit(keys), unit(plainKeys), false, true), 1).dataSync());
    });
    expect(nearest).toEqual(Array.from({ length: BATCH }, (_, i) => i));
    // 4. The keys the branch enqueues are these unshuffled keys, in batch order.
    const unit = tf.tidy(() => tf.div(keys, tf.norm(keys, 2, 1, true)));
    shuffled.afterStep();
    const queued = tf.tidy(() => tf.slice(shuffled.negatives(), [0, 0], [BATCH, -1]));
    expect(maxAbsDiff(queued, unit)).toBeLessThan(1e-6);

    tf.dispose([images, expected, unit, queued]);
    shuffled.dispose();
    plain.dispose();
    keyRef.model.dispose();
    ctx.encoder.model.dispose();
  });

  it('with one BN group shuffling changes nothing (the permutation is undone exactly)', () => {
    const ctx = methodContext(configWith(1), { rngSeed: 22 });
    const [images] = seededViews(1, BATCH, 901) as [tf.Tensor4D];
    const shuffled = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: true }, createRng(22));
    const plain = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: false });
    shuffled.prepare([images]);
    plain.prepare([images]);
    expect(maxAbsDiff(shuffled.keys(), plain.keys())).toBeLessThan(1e-5);
    tf.dispose(images);
    shuffled.dispose();
    plain.dispose();
    ctx.encoder.model.dispose();
  });
});
