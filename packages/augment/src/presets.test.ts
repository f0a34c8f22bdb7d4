import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RESAMPLE_GRIDS_KERNEL, createRng } from '@contrastive/core';
import { describeBackends, expectNoLeak } from '@contrastive/test-utils';
import { batchToTensor, randomBatch } from '@contrastive/test-utils/reference/augment';
import {
  AUGMENT_PRESET_NAMES,
  colorJitter,
  compose,
  fixed,
  getAugmentPreset,
  multiCrop,
  multiView,
  normalize,
  randomResizedCrop,
  horizontalFlip,
  randomGaussianBlur,
  randomGrayscale,
  randomSolarize,
  step,
} from './index';

const INPUT: Record<string, [number, number, number]> = {
  'simclr-cifar': [32, 32, 3],
  'simclr-imagenet': [40, 48, 3],
  'moco-v1': [40, 48, 3],
  'moco-v2': [40, 48, 3],
  'cacr-cifar': [32, 32, 3],
  'cacr-stl10': [72, 72, 3],
  'fashion-mnist-cpu': [28, 28, 1],
};

describeBackends(['cpu', 'wasm'], () => {
  it('compose chains steps on one generator; same seed, same output; no leaks', async () => {
    const x = batchToTensor(randomBatch(1, 3, 12, 12, 3));
    const aug = compose([
      step(randomResizedCrop, { size: 8 }),
      step(colorJitter, { brightness: 0.4, hue: 0.1 }),
      fixed(normalize, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }),
    ]);
    const a = expectNoLeak(() => aug(x, { seed: 4 }));
    const b = aug(x, { seed: 4 });
    expect(a.shape).toEqual([3, 8, 8, 3]);
    expect(await a.data()).toEqual(await b.data());
    const v = await a.data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2 - 1e-6);
    expect(Math.max(...v)).toBeLessThanOrEqual(2 + 1e-6);
    const identity = compose([]);
    const c = expectNoLeak(() => identity(x, { seed: 1 }));
    expect(await c.data()).toEqual(await x.data());
    tf.dispose([x, a, b, c]);
  });

  it('multiView gives n independent views; multiCrop gives groups of sizes', async () => {
    const x = batchToTensor(randomBatch(2, 2, 16, 16, 3));
    const two = multiView(step(randomResizedCrop, { size: 8 }), 2);
    const views = expectNoLeak(() => two(x, createRng(3)));
    expect(views).toHaveLength(2);
    expect(await views[0]!.data()).not.toEqual(await views[1]!.data());
    const crops = multiCrop([
      { count: 2, size: 12, scale: [0.14, 1] },
      { count: 3, size: 6, scale: [0.05, 0.14], then: step(colorJitter, { brightness: 0.4 }) },
    ]);
    const all = expectNoLeak(() => crops(x, { seed: 8 }));
    expect(all.map((t) => t.shape)).toEqual([
      [2, 12, 12, 3],
      [2, 12, 12, 3],
      [2, 6, 6, 3],
      [2, 6, 6, 3],
      [2, 6, 6, 3],
    ]);
    tf.dispose([x, ...views, ...all]);
  });

  it.each(AUGMENT_PRESET_NAMES)('preset %s: train and eval shapes, seeded, finite, no leaks', async (name) => {
    const preset = getAugmentPreset(name);
    const [h, w, c] = INPUT[name]!;
    const x = batchToTensor(randomBatch(7, 2, h, w, c));
    const a = expectNoLeak(() => preset.train(x, { seed: 1 }));
    const b = preset.train(x, { seed: 1 });
    expect(a.shape).toEqual([2, preset.size, preset.size, c]);
    expect(a.dtype).toBe('float32');
    expect(await a.data()).toEqual(await b.data());
    expect((await a.data()).every(Number.isFinite)).toBe(true);
    const e = expectNoLeak(() => preset.eval(x, { seed: 0 }));
    const evalSize = name.includes('cifar') || name.includes('fashion') ? [h, w] : [preset.size, preset.size];
    expect(e.shape).toEqual([2, ...evalSize, c]);
    tf.dispose([x, a, b, e]);
  });
});

const DECODE_GEOMETRY: Record<string, { scale: [number, number]; resize: number }> = {
  'simclr-cifar': { scale: [0.08, 1], resize: 32 },
  'simclr-imagenet': { scale: [0.08, 1], resize: 256 },
  'moco-v1': { scale: [0.2, 1], resize: 256 },
  'moco-v2': { scale: [0.2, 1], resize: 256 },
  'cacr-cifar': { scale: [0.2, 1], resize: 32 },
  'cacr-stl10': { scale: [0.08, 1], resize: 70 },
  'fashion-mnist-cpu': { scale: [0.2, 1], resize: 28 },
};

describeBackends(['cpu'], () => {
  it.each(AUGMENT_PRESET_NAMES)('preset %s with cropAtDecode: train takes cut views and never resamples, eval only normalises', async (name) => {
    const tensor = getAugmentPreset(name);
    const decoded = getAugmentPreset(name, { cropAtDecode: true });
    expect([tensor.cropAtDecode, decoded.cropAtDecode]).toEqual([false, true]);
    const { scale, resize } = DECODE_GEOMETRY[name]!;
    expect(decoded.decodeCrop).toEqual({ size: tensor.size, scale, ratio: [3 / 4, 4 / 3] });
    expect(decoded.evalDecode).toEqual({ resize, crop: tensor.size });
    expect(tensor.decodeCrop).toEqual(decoded.decodeCrop);
    const c = INPUT[name]![2];
    // A view as the decoder cuts it (small here: nothing in the pipeline depends on the side).
    const side = Math.min(decoded.size, 24);
    const x = batchToTensor(randomBatch(5, 3, side, side, c));
    const profile = await tf.profile(() => decoded.train(x, { seed: 2 }));
    const out = profile.result as tf.Tensor;
    expect(out.shape).toEqual([3, side, side, c]);
    expect(profile.kernels.filter((k) => k.name === RESAMPLE_GRIDS_KERNEL || k.name.startsWith('Resize') || k.name === 'CropAndResize')).toEqual([]);
    expect(expectNoLeak(() => decoded.train(x, { seed: 2 })).dispose()).toBeUndefined();
    // The flip comes first: with every later step drawn from the same generator, the same seed gives the same view.
    expect(await decoded.train(x, { seed: 2 }).data()).toEqual(await out.data());
    const e = decoded.eval(x, { seed: 0 });
    const normalised = name === 'simclr-imagenet' ? x.clone() : tensor.eval(x, { seed: 0 });
    if (resize === tensor.size || name === 'simclr-imagenet') expect(await e.data()).toEqual(await normalised.data());
    expect(e.shape).toEqual(x.shape);
    tf.dispose([x, out, e, normalised]);
  });
});

describe('preset lookup', () => {
  it('unknown names throw UNKNOWN_NAME with a suggestion', () => {
    expect(() => getAugmentPreset('moco-v3' as never)).toThrow(expect.objectContaining({ code: 'UNKNOWN_NAME', argument: 'name' }));
    expect(() => multiView(step(randomResizedCrop, { size: 2 }), 0)).toThrow(expect.objectContaining({ argument: 'n' }));
  });

  it('cropScale replaces the crop area range in the pipeline, its steps, decodeCrop and description, and nothing else', () => {
    const base = getAugmentPreset('fashion-mnist-cpu');
    const mild = getAugmentPreset('fashion-mnist-cpu', { cropScale: [0.6, 1] });
    expect(mild.steps[0]).toEqual({ ...base.steps[0], options: { ...(base.steps[0]!.options as object), scale: [0.6, 1] } });
    expect(mild.steps.slice(1)).toEqual(base.steps.slice(1));
    expect(mild.decodeCrop).toEqual({ ...base.decodeCrop, scale: [0.6, 1] });
    expect(mild.description).toContain('RandomResizedCrop(28, scale=(0.6, 1))');
    expect(getAugmentPreset('moco-v2', { cropScale: [0.5, 0.9], cropAtDecode: true }).decodeCrop.scale).toEqual([0.5, 0.9]);
    expect(getAugmentPreset('fashion-mnist-cpu').steps).toEqual(base.steps); // the shared preset is untouched
    for (const bad of [[0, 1], [0.5, 0.4], [0.5, 1.5], [Number.NaN, 1], [0.5]]) {
      expect(() => getAugmentPreset('fashion-mnist-cpu', { cropScale: bad as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.cropScale' }),
      );
    }
  });
});

describeBackends(['cpu', 'wasm'], () => {
  it('compose runs flip, colour, grayscale, blur, solarize and normalise steps on one stacked copy with the same results as step by step', async () => {
    const x = batchToTensor(randomBatch(12, 5, 14, 12, 3));
    const steps = [
      step(horizontalFlip, { p: 0.5 }),
      step(colorJitter, { brightness: 0.6, contrast: 0.6, saturation: 0.6, hue: 0.3, p: 0.7 }),
      step(randomGrayscale, { p: 0.4 }),
      step(randomGaussianBlur, { sigma: [0.1, 2] as const, kernelSize: 5, p: 0.5 }),
      step(randomSolarize, { p: 0.5 }),
      fixed(normalize, { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }),
    ];
    const fused = expectNoLeak(() => compose(steps)(x, { seed: 9 }));
    const rng = createRng(9);
    let y = x;
    const parts: tf.Tensor[] = [];
    for (const s of steps) {
      y = s(y, rng);
      parts.push(y);
    }
    const d = await tf.abs(tf.sub(fused, y)).data();
    expect(Math.max(...d)).toBeLessThan(2e-5);
    tf.dispose([x, fused, ...parts]);
  });

  it('a random resized crop followed by stacked steps crops straight into the stacked layout, same results as step by step', async () => {
    const x = batchToTensor(randomBatch(13, 6, 20, 18, 3));
    const steps = [
      step(randomResizedCrop, { size: [9, 11], scale: [0.2, 1], flipP: 0.5 }),
      step(colorJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 }),
      fixed(normalize, { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }),
    ];
    const fused = expectNoLeak(() => compose(steps)(x, { seed: 3 }));
    const rng = createRng(3);
    const parts: tf.Tensor4D[] = [];
    for (const s of steps) parts.push(s(parts[parts.length - 1] ?? x, rng));
    const d = await tf.abs(tf.sub(fused, parts[parts.length - 1]!)).data();
    expect(Math.max(...d)).toBeLessThan(2e-5);
    // One layout conversion (back to NHWC at the end): the crop wrote the stacked layout.
    const profile = await tf.profile(() => compose(steps)(x, { seed: 3 }));
    expect(profile.kernels.filter((k) => k.name === 'Transpose')).toHaveLength(1);
    expect(profile.kernels.some((k) => k.name === RESAMPLE_GRIDS_KERNEL)).toBe(true);
    tf.dispose([x, fused, ...parts, profile.result as tf.Tensor]);
  });

  it('multiView shares the padded crop source and gives the same views as separate calls', async () => {
    const x = batchToTensor(randomBatch(14, 6, 20, 18, 3));
    const train = getAugmentPreset('simclr-cifar').train;
    const views = expectNoLeak(() => multiView(train, 2)(x, createRng(6)));
    const rng = createRng(6);
    const one = train(x, rng);
    const two = train(x, rng);
    expect(await views[0]!.data()).toEqual(await one.data());
    expect(await views[1]!.data()).toEqual(await two.data());
    tf.dispose([x, ...views, one, two]);
  });

  it('per-image random ops leave the images they skip unchanged, bit for bit', async () => {
    const x = batchToTensor(randomBatch(13, 8, 12, 12, 3));
    const seed = 3;
    const cases: [string, (rng: ReturnType<typeof createRng>) => boolean[], ReturnType<typeof compose>][] = [
      ['blur', (rng) => Array.from({ length: 8 }, () => rng.next() < 0.5), compose([step(randomGaussianBlur, { p: 0.5, kernelSize: 5 })])],
      ['solarize', (rng) => Array.from({ length: 8 }, () => rng.next() < 0.5), compose([step(randomSolarize, { p: 0.5, threshold: 0.3 })])],
      ['flip', (rng) => Array.from({ length: 8 }, () => rng.next() < 0.5), compose([step(horizontalFlip, { p: 0.5 })])],
    ];
    const input = await x.data();
    const size = 12 * 12 * 3;
    for (const [name, flagsOf, aug] of cases) {
      const flags = flagsOf(createRng(seed));
      expect(flags.some(Boolean) && !flags.every(Boolean)).toBe(true);
      const out = expectNoLeak(() => aug(x, { seed }));
      const v = await out.data();
      flags.forEach((on, b) => {
        const same = v.slice(b * size, (b + 1) * size).every((val, i) => val === input[b * size + i]);
        expect(same, `${name} image ${b}`).toBe(!on);
      });
      out.dispose();
    }
    x.dispose();
  });
});
