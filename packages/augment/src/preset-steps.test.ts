/**
 * Every augmentation preset runs the ops of spec §0.5, in its order, with its
 * probabilities and ranges: asserted on the steps read from each preset's
 * own pipeline (`preset.steps`), plus statistics over many seeded draws of
 * the pipeline (the grayscale fraction) and of its crop sampler (the area
 * distribution).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { useBackend } from '@contrastive/test-utils';
import {
  AUGMENT_PRESET_NAMES,
  CIFAR10_NORMALIZATION,
  FASHION_MNIST_NORMALIZATION,
  getAugmentPreset,
  IMAGENET_NORMALIZATION,
  sampleResizedCropBox,
  STL10_NORMALIZATION,
  type AugmentPresetName,
  type AugmentStep,
  type NormalizeOptions,
} from './index';

// RandomHorizontalFlip(0.5) is folded into the crop (flipP) on tensors; every later op is flip-equivariant.
const crop = (size: number, scale: [number, number], ratio?: [number, number]): AugmentStep => ({
  op: 'randomResizedCrop',
  options: { size, scale, ...(ratio === undefined ? {} : { ratio }), flipP: 0.5 },
});
const jitter = (brightness: number, contrast: number, saturation: number, hue: number, p?: number): AugmentStep => ({
  op: 'colorJitter',
  options: { brightness, contrast, saturation, hue, ...(p === undefined ? {} : { p }) },
});
const grayscale: AugmentStep = { op: 'randomGrayscale', options: { p: 0.2 } };
const blur: AugmentStep = { op: 'randomGaussianBlur', options: { sigma: [0.1, 2], kernelSize: 23, p: 0.5 } };
const normalize = (n: Readonly<NormalizeOptions>): AugmentStep => ({ op: 'normalize', options: n });

/** Spec §0.5, op by op. */
const EXPECTED: Record<AugmentPresetName, AugmentStep[]> = {
  // CIFAR, SimCLR-style: crop 32 (0.08, 1), flip, ColorJitter(0.4, 0.4, 0.4, 0.1) p 0.8, grayscale 0.2, CIFAR-10 mean/std, no blur.
  'simclr-cifar': [crop(32, [0.08, 1]), jitter(0.4, 0.4, 0.4, 0.1, 0.8), grayscale, normalize(CIFAR10_NORMALIZATION)],
  // ImageNet, SimCLR: crop (0.08, 1) aspect (3/4, 4/3) to 224, flip, jitter 0.8/0.8/0.8/0.2 p 0.8, grayscale 0.2, blur p 0.5 sigma [0.1, 2].
  'simclr-imagenet': [crop(224, [0.08, 1], [3 / 4, 4 / 3]), jitter(0.8, 0.8, 0.8, 0.2, 0.8), grayscale, blur],
  // MoCo v1 "aug": crop 224 (0.2, 1), grayscale 0.2 BEFORE an always-applied ColorJitter(0.4, 0.4, 0.4, 0.4), flip, ImageNet mean/std.
  'moco-v1': [crop(224, [0.2, 1]), grayscale, jitter(0.4, 0.4, 0.4, 0.4), normalize(IMAGENET_NORMALIZATION)],
  // MoCo v2 "aug+": crop 224 (0.2, 1), jitter 0.4/0.4/0.4/0.1 p 0.8, grayscale 0.2, blur p 0.5 sigma [0.1, 2], flip, ImageNet mean/std.
  'moco-v2': [crop(224, [0.2, 1]), jitter(0.4, 0.4, 0.4, 0.1, 0.8), grayscale, blur, normalize(IMAGENET_NORMALIZATION)],
  // CIFAR, align-uniform/CACR: crop 32 (0.2, 1), flip, ColorJitter(0.4, 0.4, 0.4, 0.4), grayscale 0.2.
  'cacr-cifar': [crop(32, [0.2, 1]), jitter(0.4, 0.4, 0.4, 0.4), grayscale, normalize(CIFAR10_NORMALIZATION)],
  'cacr-stl10': [crop(64, [0.08, 1]), jitter(0.4, 0.4, 0.4, 0.4), grayscale, normalize(STL10_NORMALIZATION)],
  // Ours: one channel, so brightness and contrast only.
  'fashion-mnist-cpu': [crop(28, [0.2, 1]), { op: 'colorJitter', options: { brightness: 0.4, contrast: 0.4, p: 0.8 } }, normalize(FASHION_MNIST_NORMALIZATION)],
};

describe('augmentation presets: ops, order, probabilities and ranges', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(AUGMENT_PRESET_NAMES)('%s runs the steps of spec §0.5', (name) => {
    const preset = getAugmentPreset(name);
    expect(preset.steps).toEqual(EXPECTED[name]);
    // Cut at decode, the crop moves to the decoder and the flip becomes the first tensor op; the rest is the same.
    const decoded = getAugmentPreset(name, { cropAtDecode: true });
    const [first, ...rest] = EXPECTED[name];
    expect(decoded.steps).toEqual([{ op: 'horizontalFlip', options: { p: 0.5 } }, ...rest]);
    const cropOptions = first!.options as { size: number; scale: [number, number]; ratio?: [number, number] };
    expect(decoded.decodeCrop).toEqual({ size: cropOptions.size, scale: cropOptions.scale, ratio: cropOptions.ratio ?? [3 / 4, 4 / 3] });
  });

  it.each(['simclr-cifar', 'cacr-cifar'] as const)('%s turns a fifth of the views grey (300 seeded draws)', async (name) => {
    await useBackend('wasm');
    const preset = getAugmentPreset(name);
    const n = 300;
    // One colourful 32 x 32 image, repeated: a view is grey exactly when its three channels agree.
    const rng = createRng(5);
    const image = Float32Array.from({ length: 32 * 32 * 3 }, () => rng.next());
    const mean = CIFAR10_NORMALIZATION.mean;
    const std = CIFAR10_NORMALIZATION.std;
    const grey = tf.tidy(() => {
      const batch = tf.tile(tf.tensor4d(image, [1, 32, 32, 3]), [n, 1, 1, 1]) as tf.Tensor4D;
      const views = preset.train(batch, createRng(9));
      const pixels = tf.add(tf.mul(views, tf.tensor1d([...std])), tf.tensor1d([...mean]));
      const [r, g, b] = tf.split(pixels, 3, 3);
      const spread = tf.max(tf.maximum(tf.abs(tf.sub(r!, g!)), tf.abs(tf.sub(g!, b!))), [1, 2, 3]);
      return Array.from(spread.dataSync()).filter((s) => s < 1e-4).length / n;
    });
    // Binomial(300, 0.2): standard deviation 0.023; four of them either side.
    expect(grey).toBeGreaterThan(0.2 - 0.093);
    expect(grey).toBeLessThan(0.2 + 0.093);
    await useBackend('cpu');
  });

  it.each(AUGMENT_PRESET_NAMES)('%s draws crop areas from its scale range (4000 seeded boxes)', (name) => {
    const { scale, ratio } = getAugmentPreset(name).decodeCrop;
    const rng = createRng(17);
    const side = 512;
    const areas = Array.from({ length: 4000 }, () => {
      const box = sampleResizedCropBox(side, side, rng, { scale, ratio });
      return (box.height * box.width) / (side * side);
    });
    // Rounding the box to whole pixels moves an area by at most about 2 / side.
    expect(Math.min(...areas)).toBeGreaterThanOrEqual(scale[0] - 0.01);
    expect(Math.max(...areas)).toBeLessThanOrEqual(scale[1]);
    // Areas are drawn uniformly in the range (large ones are redrawn when the box does not fit):
    // the lower half of the range holds at least half of them, and the bottom tenth about a tenth.
    const mid = (scale[0] + scale[1]) / 2;
    const lowerHalf = areas.filter((a) => a < mid).length / areas.length;
    expect(lowerHalf).toBeGreaterThan(0.47);
    expect(lowerHalf).toBeLessThan(0.62);
    const bottomTenth = areas.filter((a) => a < scale[0] + 0.1 * (scale[1] - scale[0])).length / areas.length;
    expect(bottomTenth).toBeGreaterThan(0.08);
    expect(bottomTenth).toBeLessThan(0.14);
  });
});
