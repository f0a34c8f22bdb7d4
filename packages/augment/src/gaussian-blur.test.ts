import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeak } from '@contrastive/test-utils';
import { batchToTensor, expectBatchClose, randomBatch, refGaussianBlur } from '@contrastive/test-utils/reference/augment';
import { blurKernelSize, gaussianBlur, gaussianKernel1d, randomGaussianBlur } from './index';

describe('blur kernels', () => {
  it('uses SimCLR kernel sizes (10% of the side, odd) and normalised torchvision kernels', () => {
    expect([blurKernelSize(224), blurKernelSize(96), blurKernelSize(64), blurKernelSize(32)]).toEqual([23, 9, 7, 3]);
    const k = gaussianKernel1d(5, 1);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[0]! / k[2]!).toBeCloseTo(Math.exp(-2), 12);
  });
});

describeBackends(['cpu', 'wasm'], () => {
  const x = randomBatch(21, 3, 9, 7, 3);

  it('matches the float64 reflect-padded blur per sigma', async () => {
    const t = batchToTensor(x);
    const out = expectNoLeak(() => gaussianBlur(t, [0.3, 1, 2.5], { kernelSize: 5 }));
    await expectBatchClose(out, refGaussianBlur(x, [0.3, 1, 2.5], 5), { atol: 2e-6, rtol: 1e-5 });
    const one = gaussianBlur(t, 1, { kernelSize: 1 });
    await expectBatchClose(one, x, { atol: 0, rtol: 0 });
    tf.dispose([t, out, one]);
  });

  it('randomGaussianBlur: p = 0 identity, p = 1 blurs all, seeded', async () => {
    const t = batchToTensor(x);
    const none = randomGaussianBlur(t, { seed: 1 }, { p: 0 });
    await expectBatchClose(none, x, { atol: 0, rtol: 0 });
    const a = expectNoLeak(() => randomGaussianBlur(t, { seed: 2 }, { p: 1, kernelSize: 3 }));
    const b = randomGaussianBlur(t, { seed: 2 }, { p: 1, kernelSize: 3 });
    expect(await a.data()).toEqual(await b.data());
    const half = randomGaussianBlur(t, { seed: 5 }, { p: 0.5, kernelSize: 3 });
    expect(half.shape).toEqual([3, 9, 7, 3]);
    tf.dispose([t, none, a, b, half]);
  });

  it('rejects even or too large kernels', () => {
    const t = batchToTensor(x);
    expect(() => gaussianBlur(t, 1, { kernelSize: 4 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'kernelSize' }));
    expect(() => gaussianBlur(t, 1, { kernelSize: 15 })).toThrow(expect.objectContaining({ argument: 'kernelSize' }));
    expect(() => gaussianBlur(t, 0, { kernelSize: 3 })).toThrow(expect.objectContaining({ argument: 'sigmas' }));
    t.dispose();
  });
});
