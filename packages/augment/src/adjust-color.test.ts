import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeak } from '@contrastive/test-utils';
import {
  batchToTensor,
  expectBatchClose,
  imageBatch,
  randomBatch,
  refBrightness,
  refContrast,
  refGrayscale,
  refHue,
  refSaturation,
} from '@contrastive/test-utils/reference/augment';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, rgbToGrayscale } from './index';

const TOL = { atol: 2e-6, rtol: 1e-5 };

describeBackends(['cpu', 'wasm'], () => {
  const x = randomBatch(1, 3, 5, 4, 3);
  const factors = [0.3, 1, 1.7];

  it('brightness, contrast and saturation match the float64 reference (with clamping)', async () => {
    const t = batchToTensor(x);
    for (const [op, ref] of [
      [adjustBrightness, refBrightness],
      [adjustContrast, refContrast],
      [adjustSaturation, refSaturation],
    ] as const) {
      const out = expectNoLeak(() => op(t, factors));
      await expectBatchClose(out, ref(x, factors), TOL);
      out.dispose();
    }
    t.dispose();
  });

  it('factor 1 is the identity, factor 0 gives black / the gray mean / the gray image', async () => {
    const t = batchToTensor(x);
    for (const op of [adjustBrightness, adjustContrast, adjustSaturation]) {
      const out = op(t, 1);
      await expectBatchClose(out, x, { atol: 1e-7, rtol: 0 });
      out.dispose();
    }
    const black = adjustBrightness(t, 0);
    expect(Math.max(...(await black.data()))).toBe(0);
    const gray = adjustSaturation(t, 0);
    await expectBatchClose(gray, refGrayscale(x, 3), TOL);
    tf.dispose([t, black, gray]);
  });

  it('contrast blends with the mean of the grayscale image, also on one channel', async () => {
    const mono = randomBatch(2, 2, 4, 4, 1);
    const t = batchToTensor(mono);
    const out = adjustContrast(t, [0.5, 2]);
    await expectBatchClose(out, refContrast(mono, [0.5, 2]), TOL);
    const sat = adjustSaturation(t, 0.2);
    await expectBatchClose(sat, mono, { atol: 0, rtol: 0 });
    tf.dispose([t, out, sat]);
  });

  it('hue shifts known colours around the HSV circle', async () => {
    // red, green, blue, yellow, a dark orange, a gray
    const colours = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0.6, 0.3, 0, 0.4, 0.4, 0.4];
    const img = imageBatch(1, 1, 6, 3, (i) => colours[i]!);
    const t = batchToTensor(img);
    const third = adjustHue(t, 1 / 3);
    // +120 degrees: red -> green, green -> blue, blue -> red, yellow -> cyan,
    // orange (h = 30 deg, s = 1, v = 0.6) -> (0, 0.6, 0.3), gray unchanged.
    const expected = [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0.6, 0.3, 0.4, 0.4, 0.4];
    await expectBatchClose(third, imageBatch(1, 1, 6, 3, (i) => expected[i]!), { atol: 1e-6, rtol: 0 });
    const back = adjustHue(t, -0.5);
    await expectBatchClose(back, refHue(img, [-0.5]), TOL);
    tf.dispose([t, third, back]);
  });

  it('hue matches torchvision _rgb2hsv/_hsv2rgb on random pixels, and 0 is the identity', async () => {
    const t = batchToTensor(x);
    const shifts = [-0.37, 0.1, 0.5];
    const out = expectNoLeak(() => adjustHue(t, shifts));
    await expectBatchClose(out, refHue(x, shifts), { atol: 1e-5, rtol: 0 });
    const same = adjustHue(t, 0);
    await expectBatchClose(same, x, { atol: 1e-6, rtol: 0 });
    const mono = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const monoOut = adjustHue(mono, 0.3);
    expect(await monoOut.data()).toEqual(new Float32Array([1, 1, 1, 1]));
    tf.dispose([t, out, same, mono, monoOut]);
  });

  it('rgbToGrayscale uses the ITU-R 601-2 weights', async () => {
    const t = batchToTensor(x);
    const one = expectNoLeak(() => rgbToGrayscale(t));
    const three = rgbToGrayscale(t, { channels: 3 });
    await expectBatchClose(one, refGrayscale(x, 1), TOL);
    await expectBatchClose(three, refGrayscale(x, 3), TOL);
    tf.dispose([t, one, three]);
  });
});

describe('colour adjustment errors', () => {
  it('rejects bad factors and images', () => {
    const t = tf.zeros([2, 2, 2, 3]) as tf.Tensor4D;
    expect(() => adjustBrightness(t, -1)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'factors' }));
    expect(() => adjustContrast(t, [1])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'factors' }));
    expect(() => adjustHue(t, 0.6)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'factors' }));
    const bad = tf.zeros([2, 2, 2, 2]) as tf.Tensor4D;
    expect(() => adjustSaturation(bad, 1)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'images' }));
    const ints = tf.zeros([1, 2, 2, 3], 'int32') as tf.Tensor4D;
    expect(() => adjustBrightness(ints, 1)).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH' }));
    tf.dispose([t, bad, ints]);
  });
});
