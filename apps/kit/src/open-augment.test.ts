import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@contrastive/backend';
import { createRng } from '@contrastive/core';
import { NORMALIZATION_STATS, openAugment } from './open-augment';

describe('openAugment', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('swaps the preset Normalize for augment.normalization (CIFAR-100 statistics on cacr-cifar)', async () => {
    const values = Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => ((i * 37) % 256) / 255); // loader output: [0, 1]
    const images = tf.tensor4d(values, [2, 32, 32, 3]);
    const augment = openAugment({ preset: 'cacr-cifar', normalization: 'cifar100' }, 3);
    const before = tf.memory().numTensors;
    const out = augment.eval(images, createRng(0));
    expect(tf.memory().numTensors).toBe(before + 1);
    const got = await out.data();
    const { mean, std } = NORMALIZATION_STATS['cifar100']!;
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      const c = i % 3;
      worst = Math.max(worst, Math.abs(got[i]! - (values[i]! - mean[c]!) / std[c]!));
    }
    expect(worst).toBeLessThan(1e-5);
    // Training views end with the same statistics: their per-channel affine differs only by the swap.
    const plain = openAugment({ preset: 'cacr-cifar' }, 3).train(images, createRng(1));
    const swapped = augment.train(images, createRng(1));
    const a = await plain.data();
    const b = await swapped.data();
    const ten = NORMALIZATION_STATS['cifar10']!;
    for (let i = 0; i < 30; i++) {
      const c = i % 3;
      const raw = a[i]! * ten.std[c]! + ten.mean[c]!;
      expect(b[i]!).toBeCloseTo((raw - mean[c]!) / std[c]!, 4);
    }
    tf.dispose([images, out, plain, swapped]);
  });

  it('returns the preset itself without a normalization', () => {
    const augment = openAugment({ preset: 'fashion-mnist-cpu' }, 1);
    expect(augment.size).toBe(28);
  });
});
