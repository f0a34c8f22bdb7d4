import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
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

  it('blurs the drawn images of a large batch in place and leaves the others bit for bit', async () => {
    // 130 images, almost all blurred: convolving all of them (unit impulses
    // for the rest) is cheaper than taking the blurred ones out.
    const big = randomBatch(22, 130, 6, 5, 3);
    const t = batchToTensor(big);
    const rng = createRng(4);
    const flags = Array.from({ length: 130 }, () => rng.next() < 0.97);
    const sigmas = flags.map((f) => (f ? rng.uniform(0.1, 2) : 0));
    expect(flags.filter((f) => !f).length).toBeGreaterThan(0);
    const out = expectNoLeak(() => randomGaussianBlur(t, { seed: 4 }, { p: 0.97, kernelSize: 3 }));
    const v = await out.data();
    const size = 6 * 5 * 3;
    const blurredRef = refGaussianBlur(big, sigmas.map((s) => s || 1), 3);
    flags.forEach((on, b) => {
      const got = Array.from(v.slice(b * size, (b + 1) * size));
      const want = on ? blurredRef.data.slice(b * size, (b + 1) * size) : Array.from(big.data.slice(b * size, (b + 1) * size), Math.fround);
      want.forEach((value, i) => expect(Math.abs(got[i]! - value)).toBeLessThanOrEqual(on ? 2e-6 : 0));
    });
    tf.dispose([t, out]);
  });

  it('rejects even or too large kernels', () => {
    const t = batchToTensor(x);
    expect(() => gaussianBlur(t, 1, { kernelSize: 4 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'kernelSize' }));
    expect(() => gaussianBlur(t, 1, { kernelSize: 15 })).toThrow(expect.objectContaining({ argument: 'kernelSize' }));
    expect(() => gaussianBlur(t, 0, { kernelSize: 3 })).toThrow(expect.objectContaining({ argument: 'sigmas' }));
    t.dispose();
  });
});
