import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeak } from '@contrastive/test-utils';
import {
  batchToTensor,
  expectBatchClose,
  randomBatch,
  refFlip,
  refNormalize,
  refResizeCenterCrop,
  refSolarize,
} from '@contrastive/test-utils/reference/augment';
import {
  centerCrop,
  flipHorizontal,
  horizontalFlip,
  normalize,
  randomSolarize,
  resize,
  resizeCenterCrop,
  resizedShape,
  solarize,
} from './index';

describeBackends(['cpu', 'wasm'], () => {
  const x = randomBatch(31, 4, 6, 8, 3);

  it('flips the flagged images; horizontalFlip p = 0 / 1', async () => {
    const t = batchToTensor(x);
    const flags = [true, false, false, true];
    const out = expectNoLeak(() => flipHorizontal(t, flags));
    await expectBatchClose(out, refFlip(x, flags), { atol: 0, rtol: 0 });
    const all = horizontalFlip(t, { seed: 1 }, { p: 1 });
    await expectBatchClose(all, refFlip(x, [true, true, true, true]), { atol: 0, rtol: 0 });
    const none = expectNoLeak(() => horizontalFlip(t, { seed: 1 }, { p: 0 }));
    await expectBatchClose(none, x, { atol: 0, rtol: 0 });
    tf.dispose([t, out, all, none]);
  });

  it('solarize inverts values at or above the threshold', async () => {
    const t = batchToTensor(x);
    const out = expectNoLeak(() => solarize(t, 0.4));
    await expectBatchClose(out, refSolarize(x, 0.4), { atol: 1e-7, rtol: 0 });
    const all = randomSolarize(t, { seed: 3 }, { p: 1, threshold: 0.4 });
    await expectBatchClose(all, refSolarize(x, 0.4), { atol: 1e-7, rtol: 0 });
    const none = randomSolarize(t, { seed: 3 }, { p: 0 });
    await expectBatchClose(none, x, { atol: 0, rtol: 0 });
    tf.dispose([t, out, all, none]);
  });

  it('normalize subtracts the mean and divides by the std per channel', async () => {
    const t = batchToTensor(x);
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.2023, 0.1994, 0.201];
    const out = expectNoLeak(() => normalize(t, { mean, std }));
    await expectBatchClose(out, refNormalize(x, mean, std), { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([t, out]);
  });

  it('resize (shorter side) + centre crop equals torchvision Resize then CenterCrop', async () => {
    const t = batchToTensor(x);
    expect(resizedShape(6, 8, 9)).toEqual([9, 12]);
    const fused = expectNoLeak(() => resizeCenterCrop(t, { resize: 9, crop: 7 }));
    await expectBatchClose(fused, refResizeCenterCrop(x, [9, 12], [7, 7]), { atol: 3e-6, rtol: 1e-5 });
    const down = resizeCenterCrop(t, { resize: 4, crop: [3, 4] });
    await expectBatchClose(down, refResizeCenterCrop(x, [4, 5], [3, 4]), { atol: 3e-6, rtol: 1e-5 });
    const r = resize(t, 9);
    const c = centerCrop(r, 7);
    await expectBatchClose(c, refResizeCenterCrop(x, [9, 12], [7, 7]), { atol: 3e-6, rtol: 1e-5 });
    const same = resize(t, 6);
    await expectBatchClose(same, x, { atol: 1e-6, rtol: 0 });
    tf.dispose([t, fused, down, r, c, same]);
  });
});

describe('pointwise errors', () => {
  it('names the bad argument', () => {
    const t = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => normalize(t, { mean: [0, 0], std: [1, 1, 1] })).toThrow(expect.objectContaining({ argument: 'mean' }));
    expect(() => normalize(t, { mean: [0, 0, 0], std: [1, 0, 1] })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'std' }));
    expect(() => solarize(t, 2)).toThrow(expect.objectContaining({ argument: 'threshold' }));
    expect(() => centerCrop(t, 5)).toThrow(expect.objectContaining({ argument: 'size' }));
    expect(() => flipHorizontal(t, [])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'flags' }));
    expect(() => horizontalFlip(t, { seed: 1 }, { p: -0.1 })).toThrow(expect.objectContaining({ argument: 'p' }));
    t.dispose();
  });
});
