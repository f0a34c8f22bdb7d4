/**
 * The blur statistic of issue 14 item 5: the presets with GaussianBlur
 * (SimCLR ImageNet, MoCo v2 "aug+") blur half of the views with sigma drawn
 * uniformly from [0.1, 2] (spec §0.5). Their 224 px pipelines are too slow on
 * cpu for thousands of draws, so the preset's own blur step (op and options as
 * read from its pipeline, `preset.steps`) runs on 24 x 24 probe images: a unit
 * impulse at the centre. An unblurred view comes back bit for bit; a blurred
 * one holds k0^2 at the centre and k0 k1 beside it (k_i the kernel's taps,
 * proportional to exp(-i^2 / 2 sigma^2)), so their ratio gives the view's
 * sigma: sigma = sqrt(-1 / (2 ln(k1 / k0))).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { useBackend } from '@contrastive/test-utils';
import { AUGMENT_PRESET_NAMES, getAugmentPreset, randomGaussianBlur, step, type RandomGaussianBlurOptions } from './index';

beforeAll(async () => {
  // XNNPACK's depthwise convolution: the 2400 views blur in well under a second.
  await useBackend('wasm');
});

/** Spec §0.5: the presets with RandomApply(GaussianBlur, p = 0.5), sigma ~ U[0.1, 2]. */
const SPEC_BLUR = { presets: ['simclr-imagenet', 'moco-v2'], p: 0.5, sigma: [0.1, 2] as const };

/** Views drawn per preset: the fraction's standard deviation is about 0.01. */
const VIEWS = 2400;
const SIDE = 24;

/** The blur step of a preset's training view, read from its pipeline. */
function blurStep(name: (typeof AUGMENT_PRESET_NAMES)[number]): RandomGaussianBlurOptions | undefined {
  return getAugmentPreset(name).steps.find((s) => s.op === 'randomGaussianBlur')?.options as RandomGaussianBlurOptions | undefined;
}

describe('augmentation presets: blur fraction over seeded draws', () => {
  it('the presets with a blur step are the spec\'s', () => {
    expect(AUGMENT_PRESET_NAMES.filter((name) => blurStep(name) !== undefined)).toEqual(SPEC_BLUR.presets);
  });

  it.each(SPEC_BLUR.presets)(`%s blurs half of ${VIEWS} views, sigma uniform on [0.1, 2]`, async (name) => {
    const options = blurStep(name as (typeof AUGMENT_PRESET_NAMES)[number])!;
    const blur = step(randomGaussianBlur, options);
    const centre = (SIDE / 2) * SIDE + SIDE / 2;
    const impulse = new Float32Array(SIDE * SIDE);
    impulse[centre] = 1;
    const views = tf.tidy(() => blur(tf.tile(tf.tensor4d(impulse, [1, SIDE, SIDE, 1]), [VIEWS, 1, 1, 1]) as tf.Tensor4D, createRng(23)));
    const values = await views.data();
    views.dispose();
    const sigmas: number[] = [];
    let untouched = 0;
    for (let v = 0; v < VIEWS; v++) {
      const image = values.subarray(v * SIDE * SIDE, (v + 1) * SIDE * SIDE);
      if (image.every((x, i) => x === impulse[i])) untouched++;
      else sigmas.push(Math.sqrt(-1 / (2 * Math.log(image[centre + 1]! / image[centre]!))));
    }
    // Binomial(2400, 0.5): standard deviation 0.0102; four of them either side.
    expect(untouched / VIEWS).toBeGreaterThan(1 - SPEC_BLUR.p - 0.041);
    expect(untouched / VIEWS).toBeLessThan(1 - SPEC_BLUR.p + 0.041);
    // Every recovered sigma lies in the range, and each of four equal parts of it holds p / 4 of the
    // views (Binomial(2400, 0.125): standard deviation 0.0068; four of them either side).
    const [s0, s1] = SPEC_BLUR.sigma;
    expect(Math.min(...sigmas)).toBeGreaterThanOrEqual(s0 - 1e-4);
    expect(Math.max(...sigmas)).toBeLessThanOrEqual(s1 + 1e-4);
    for (let q = 0; q < 4; q++) {
      const [a, b] = [s0 + ((s1 - s0) * q) / 4, s0 + ((s1 - s0) * (q + 1)) / 4];
      const share = sigmas.filter((s) => s >= a && s < b).length / VIEWS;
      expect(share, `sigma in [${a}, ${b})`).toBeGreaterThan(SPEC_BLUR.p / 4 - 0.027);
      expect(share, `sigma in [${a}, ${b})`).toBeLessThan(SPEC_BLUR.p / 4 + 0.027);
    }
  });
});
