/**
 * Augmentations on an accelerator backend (webgpu; reads are asynchronous
 * only): every op and every preset, from the same images and seed, gives the
 * cpu result within float32 rounding.
 *
 * On cpu (and wasm) crops and resizes run `@contrastive/backend`'s
 * `ContrastiveResampleGrids` kernel; webgpu does not have it, so there they
 * take augment's `cropAndResize` path: these tests are the proof that the
 * fallback samples the same positions with the same weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RESAMPLE_GRIDS_KERNEL, createRng } from '@contrastive/core';
import { describeBackends, expectParity, useBackend } from '@contrastive/test-utils';
import type { ParityInput, TestBackend, Tolerance } from '@contrastive/test-utils';
import { randomBatch } from '@contrastive/test-utils/reference/augment';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  AUGMENT_PRESET_NAMES,
  centerCrop,
  colorJitter,
  compose,
  fixed,
  flipHorizontal,
  gaussianBlur,
  getAugmentPreset,
  horizontalFlip,
  multiCrop,
  multiView,
  normalize,
  randomGaussianBlur,
  randomGrayscale,
  randomResizedCrop,
  randomSolarize,
  resize,
  resizeCenterCrop,
  resizedCrop,
  rgbToGrayscale,
  solarize,
  step,
} from './index';

/** Float32 images in [0, 1) from a seed. */
function images(seed: number, n: number, h: number, w: number, c: number): ParityInput {
  return { values: Float32Array.from(randomBatch(seed, n, h, w, c).data), shape: [n, h, w, c] };
}

/**
 * Values in [0, 1] (normalised ones up to ~5): a few float32 roundings of
 * the inputs' scale. The crops differ by the rounding of the sample
 * positions (cropAndResize computes them in float32 from normalised boxes),
 * which moves a bilinear sample by at most ~1e-6 of a pixel step.
 */
const ROUNDING: Tolerance = { atol: 1e-5, rtol: 1e-5 };

/**
 * Pipelines that crop, jitter and normalise: the crop's rounding (a few 1e-6
 * on [0, 1] values) is scaled by the colour factors (up to 1.8) and by
 * 1 / std of the normalisation (up to 5 for CIFAR-10's std 0.2).
 */
const NORMALISED: Tolerance = { atol: 5e-5, rtol: 1e-5 };

/** `op` on the same images on cpu and on `backend` (value only: augmentations are not differentiated). */
async function expectSame(backend: TestBackend, label: string, input: ParityInput, op: (x: tf.Tensor4D) => tf.Tensor, tolerance = ROUNDING): Promise<void> {
  await expectParity({ inputs: [input], wrt: [], tolerance, fn: (x) => op(x as tf.Tensor4D) }, backend, label);
}

/** Several views: concatenated along the batch so that one parity case covers them all. */
function joined(views: tf.Tensor4D[]): tf.Tensor {
  const flat = views.map((v) => tf.reshape(v, [-1]));
  const out = tf.concat(flat);
  tf.dispose([...views, ...flat]);
  return out;
}

describeBackends(['webgpu'], (backend) => {
  it('runs the cropAndResize fallback on the device (no resample-grids kernel) and the kernel on cpu', async () => {
    await useBackend(backend);
    expect(tf.getKernel(RESAMPLE_GRIDS_KERNEL, backend)).toBeUndefined();
    expect(tf.getKernel(RESAMPLE_GRIDS_KERNEL, 'cpu')).toBeDefined();
  });

  it('random resized crop: shrinking, enlarging, edge crops, flips, 1 and 3 channels, as the cpu kernel', async () => {
    const cases: [string, ParityInput, Parameters<typeof randomResizedCrop>[2]][] = [
      ['simclr 32 -> 32', images(1, 6, 32, 32, 3), { size: 32, scale: [0.08, 1], flipP: 0.5 }],
      ['enlarge 12x10 -> 24x20', images(2, 5, 12, 10, 3), { size: [24, 20], scale: [0.2, 1], flipP: 0.5 }],
      ['shrink 40x48 -> 9', images(3, 4, 40, 48, 3), { size: 9, scale: [0.5, 1], ratio: [0.5, 2] }],
      ['whole image (scale 1, ratio of the image)', images(4, 3, 16, 16, 3), { size: 7, scale: [1, 1], ratio: [1, 1], flipP: 1 }],
      ['one channel 28 -> 28', images(5, 4, 28, 28, 1), { size: 28, scale: [0.2, 1], flipP: 0.5 }],
      ['one row of output', images(6, 3, 10, 12, 3), { size: [1, 5], scale: [0.3, 1] }],
    ];
    for (const [label, input, options] of cases) {
      for (const seed of [1, 2]) {
        await expectSame(backend, `${label} seed ${seed}`, input, (x) => randomResizedCrop(x, { seed }, options));
      }
    }
  });

  it('resizedCrop with given boxes (edges and corners), resize, centerCrop and resizeCenterCrop', async () => {
    const x = images(7, 3, 15, 13, 3);
    const boxes = [
      { top: 0, left: 0, height: 15, width: 13 },
      { top: 10, left: 9, height: 5, width: 4 },
      { top: 3, left: 0, height: 1, width: 13 },
    ];
    await expectSame(backend, 'resizedCrop 8x6 flipped', x, (t) => resizedCrop(t, boxes, { size: [8, 6], flip: [true, false, true] }));
    await expectSame(backend, 'resizedCrop 31', x, (t) => resizedCrop(t, boxes, { size: 31 }));
    await expectSame(backend, 'resize shorter side 20', x, (t) => resize(t, 20));
    await expectSame(backend, 'resize 7x9', x, (t) => resize(t, [7, 9]));
    await expectSame(backend, 'centerCrop 9', x, (t) => centerCrop(t, 9));
    await expectSame(backend, 'resize 18 then centre crop 16', x, (t) => resizeCenterCrop(t, { resize: 18, crop: 16 }));
  });

  it('flips: per-sample flags and the random flip', async () => {
    const x = images(8, 5, 6, 7, 3);
    await expectSame(backend, 'flipHorizontal', x, (t) => flipHorizontal(t, [true, false, false, true, true]), { atol: 0, rtol: 0 });
    for (const seed of [1, 2, 3]) {
      await expectSame(backend, `horizontalFlip seed ${seed}`, x, (t) => horizontalFlip(t, { seed }), { atol: 0, rtol: 0 });
    }
  });

  it('colour: brightness, contrast, saturation, hue, grayscale, per image', async () => {
    const rgb = images(9, 4, 6, 5, 3);
    const gray = images(10, 3, 5, 4, 1);
    const factors = [0.3, 1, 1.7, 0];
    await expectSame(backend, 'brightness', rgb, (t) => adjustBrightness(t, factors));
    await expectSame(backend, 'contrast', rgb, (t) => adjustContrast(t, factors));
    await expectSame(backend, 'contrast, one channel', gray, (t) => adjustContrast(t, [0.5, 1.5, 0]));
    await expectSame(backend, 'saturation', rgb, (t) => adjustSaturation(t, factors));
    await expectSame(backend, 'hue', rgb, (t) => adjustHue(t, [-0.5, -0.1, 0.25, 0.5]));
    await expectSame(backend, 'grayscale 1', rgb, (t) => rgbToGrayscale(t));
    await expectSame(backend, 'grayscale 3', rgb, (t) => rgbToGrayscale(t, { channels: 3 }));
    // Hue near the sector edges: pure, gray and nearly tied channels.
    const edges = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5, 1, 1, 0, 0.2, 0.2, 0.2000001, 1, 0.999999, 0.3, 0, 0, 0]);
    await expectSame(backend, 'hue at sector edges', { values: edges, shape: [1, 2, 4, 3] }, (t) => adjustHue(t, 0.3));
  });

  it('colour jitter (random order, RandomApply) and random grayscale, several seeds', async () => {
    const rgb = images(11, 8, 6, 6, 3);
    const gray = images(12, 6, 6, 6, 1);
    for (const seed of [1, 2, 3]) {
      await expectSame(backend, `jitter seed ${seed}`, rgb, (t) => colorJitter(t, { seed }, { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.4, p: 0.8 }));
      await expectSame(backend, `jitter one channel seed ${seed}`, gray, (t) => colorJitter(t, { seed }, { brightness: 0.4, contrast: 0.4, p: 0.8 }));
      await expectSame(backend, `random grayscale seed ${seed}`, rgb, (t) => randomGrayscale(t, { seed }, { p: 0.5 }));
    }
  });

  it('Gaussian blur: all images, a few taken out and put back, one channel, 23 taps', async () => {
    const x = images(13, 8, 12, 11, 3);
    await expectSame(backend, 'blur every image', x, (t) => gaussianBlur(t, [0.1, 0.5, 1, 2, 0.3, 1.5, 0.8, 1.2], { kernelSize: 5 }));
    // p small enough that only some images are blurred (gathered, blurred, scattered back).
    for (const seed of [1, 2, 3]) {
      await expectSame(backend, `random blur p 0.2 seed ${seed}`, x, (t) => randomGaussianBlur(t, { seed }, { p: 0.2, kernelSize: 7 }));
      await expectSame(backend, `random blur p 0.5 seed ${seed}`, x, (t) => randomGaussianBlur(t, { seed }, { p: 0.5, kernelSize: 3 }));
    }
    await expectSame(backend, 'blur one channel', images(14, 3, 9, 9, 1), (t) => gaussianBlur(t, 1.3, { kernelSize: 9 }));
    await expectSame(backend, 'blur 23 taps', images(15, 2, 24, 24, 3), (t) => gaussianBlur(t, [0.7, 2], { kernelSize: 23 }));
  });

  it('solarize and normalise', async () => {
    const x = images(16, 6, 5, 5, 3);
    await expectSame(backend, 'solarize 0.5', x, (t) => solarize(t, 0.5), { atol: 0, rtol: 0 });
    // Values exactly at the threshold go to 1 - x on both.
    const ties = Float32Array.from({ length: 12 }, (_, i) => [0.25, 0.5, 0.75][i % 3]!);
    await expectSame(backend, 'solarize at the threshold', { values: ties, shape: [1, 2, 2, 3] }, (t) => solarize(t, 0.5), { atol: 0, rtol: 0 });
    for (const seed of [1, 2]) {
      await expectSame(backend, `random solarize seed ${seed}`, x, (t) => randomSolarize(t, { seed }, { p: 0.5, threshold: 0.3 }), { atol: 0, rtol: 0 });
    }
    await expectSame(backend, 'normalize', x, (t) => normalize(t, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }));
    await expectSame(backend, 'normalize one channel', images(17, 2, 4, 4, 1), (t) => normalize(t, { mean: [0.286], std: [0.353] }));
  });

  it('compose on the stacked layout (crop straight into it, every stacked step), multiView and multiCrop', async () => {
    const x = images(18, 6, 20, 18, 3);
    const pipeline = compose([
      step(randomResizedCrop, { size: [9, 11], scale: [0.2, 1], flipP: 0.5 }),
      step(horizontalFlip, { p: 0.5 }),
      step(colorJitter, { brightness: 0.6, contrast: 0.6, saturation: 0.6, hue: 0.3, p: 0.7 }),
      step(randomGrayscale, { p: 0.4 }),
      step(randomGaussianBlur, { sigma: [0.1, 2] as const, kernelSize: 5, p: 0.5 }),
      step(randomSolarize, { p: 0.5 }),
      fixed(normalize, { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }),
    ]);
    for (const seed of [1, 2]) await expectSame(backend, `compose seed ${seed}`, x, (t) => pipeline(t, { seed }), NORMALISED);
    await expectSame(backend, 'multiView', x, (t) => joined(multiView(pipeline, 2)(t, createRng(5))), NORMALISED);
    const crops = multiCrop([
      { count: 2, size: 12, scale: [0.14, 1] },
      { count: 3, size: 6, scale: [0.05, 0.14], then: step(colorJitter, { brightness: 0.4, hue: 0.2 }) },
    ]);
    await expectSame(backend, 'multiCrop', x, (t) => joined(crops(t, createRng(6))));
  });

  it('every preset: train (two seeds) and eval views as on cpu', async () => {
    const input: Record<string, [number, number, number]> = {
      'simclr-cifar': [32, 32, 3],
      'simclr-imagenet': [40, 48, 3],
      'moco-v1': [40, 48, 3],
      'moco-v2': [40, 48, 3],
      'cacr-cifar': [32, 32, 3],
      'cacr-stl10': [72, 72, 3],
      'fashion-mnist-cpu': [28, 28, 1],
    };
    for (const name of AUGMENT_PRESET_NAMES) {
      const preset = getAugmentPreset(name);
      const [h, w, c] = input[name]!;
      const x = images(20, 2, h, w, c);
      for (const seed of [1, 2]) await expectSame(backend, `${name} train seed ${seed}`, x, (t) => preset.train(t, { seed }), NORMALISED);
      await expectSame(backend, `${name} eval`, x, (t) => preset.eval(t, { seed: 0 }), NORMALISED);
    }
  });
});
