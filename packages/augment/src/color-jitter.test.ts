import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { describeBackends, expectNoLeak } from '@contrastive/test-utils';
import {
  batchToTensor,
  expectBatchClose,
  randomBatch,
  refColorJitter,
  refGrayscale,
  type ImageBatch,
} from '@contrastive/test-utils/reference/augment';
import { applyColorJitter, colorJitter, randomGrayscale, sampleColorJitter, type JitterParams } from './index';

function slice(x: ImageBatch, b: number): Float64Array {
  const size = x.h * x.w * x.c;
  return x.data.slice(b * size, (b + 1) * size);
}

describe('sampleColorJitter', () => {
  it('draws torchvision ranges, a permutation per image, and skips with probability 1 - p', () => {
    const params = sampleColorJitter(400, { seed: 3 }, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 });
    const applied = params.filter((q): q is JitterParams => q !== null);
    expect(applied.length).toBeGreaterThan(290);
    expect(applied.length).toBeLessThan(350);
    for (const q of applied) {
      expect([...q.order].sort()).toEqual(['brightness', 'contrast', 'hue', 'saturation']);
      for (const k of ['brightness', 'contrast', 'saturation'] as const) {
        expect(q[k]).toBeGreaterThanOrEqual(0.6);
        expect(q[k]).toBeLessThanOrEqual(1.4);
      }
      expect(Math.abs(q.hue!)).toBeLessThanOrEqual(0.1);
    }
    expect(new Set(applied.map((q) => q.order.join())).size).toBe(24);
    const off = sampleColorJitter(3, { seed: 1 }, { brightness: 0.5 });
    expect(off[0]!.contrast).toBeNull();
    expect(off[0]!.hue).toBeNull();
    expect(sampleColorJitter(5, { seed: 1 }, { brightness: 0.5, p: 0 }).every((q) => q === null)).toBe(true);
  });

  it('rejects bad strengths', () => {
    expect(() => sampleColorJitter(1, { seed: 1 }, { hue: 0.7 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'hue' }));
    expect(() => sampleColorJitter(1, { seed: 1 }, { brightness: -1 })).toThrow(expect.objectContaining({ argument: 'brightness' }));
    expect(() => sampleColorJitter(1, { seed: 1 }, { p: 2 })).toThrow(expect.objectContaining({ argument: 'p' }));
  });
});

describeBackends(['cpu', 'wasm'], () => {
  const x = randomBatch(11, 6, 5, 5, 3);

  it('applies each image its own order and factors, as the float64 reference', async () => {
    const params = sampleColorJitter(6, { seed: 2 }, { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.4, p: 0.85 });
    const t = batchToTensor(x);
    const out = expectNoLeak(() => applyColorJitter(t, params));
    await expectBatchClose(out, refColorJitter(x, params), { atol: 2e-5, rtol: 0 });
    // The order matters: the same factors in another order give another image.
    const reversed = params.map((q) => (q === null ? null : { ...q, order: [...q.order].reverse() }));
    const other = applyColorJitter(t, reversed);
    expect(Math.max(...(await tf.abs(tf.sub(out, other)).data()))).toBeGreaterThan(1e-3);
    // Images that RandomApply skips come back bit for bit, next to hue-shifted ones.
    const withSkip = params.map((q, b) => (b === 1 ? null : q));
    expect(withSkip.some((q) => q !== null && q.hue !== null)).toBe(true);
    const mixed = applyColorJitter(t, withSkip);
    const v = await mixed.data();
    expect(Array.from(v.slice(75, 150))).toEqual(Array.from(slice(x, 1), Math.fround));
    await expectBatchClose(mixed, refColorJitter(x, withSkip), { atol: 2e-5, rtol: 0 });
    tf.dispose([t, out, other, mixed]);
  });

  it('is seeded, stays in [0, 1], and strength 0 or p = 0 is the identity', async () => {
    const t = batchToTensor(x);
    const opts = { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 };
    const a = colorJitter(t, { seed: 7 }, opts);
    const b = colorJitter(t, { seed: 7 }, opts);
    expect(a.shape).toEqual([6, 5, 5, 3]);
    expect(await a.data()).toEqual(await b.data());
    const v = await a.data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    for (const o of [{}, { ...opts, p: 0 }]) {
      const same = expectNoLeak(() => colorJitter(t, { seed: 1 }, o));
      await expectBatchClose(same, x, { atol: 0, rtol: 0 });
      same.dispose();
    }
    const all = colorJitter(t, { seed: 1 }, { ...opts, p: 1 });
    const d = await all.data();
    for (let bIdx = 0; bIdx < 6; bIdx++) {
      const before = slice(x, bIdx);
      expect(before.some((val, i) => Math.abs(val - d[bIdx * 75 + i]!) > 1e-4)).toBe(true);
    }
    tf.dispose([t, a, b, all]);
  });

  it('jitters one-channel images with brightness and contrast only', async () => {
    const mono = randomBatch(5, 3, 4, 4, 1);
    const params = sampleColorJitter(3, { seed: 4 }, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 });
    const t = batchToTensor(mono);
    const out = applyColorJitter(t, params);
    await expectBatchClose(out, refColorJitter(mono, params), { atol: 2e-6, rtol: 0 });
    tf.dispose([t, out]);
  });

  it('randomGrayscale: p = 1 grays every image (3 channels kept), p = 0 none', async () => {
    const t = batchToTensor(x);
    const all = expectNoLeak(() => randomGrayscale(t, createRng(1), { p: 1 }));
    await expectBatchClose(all, refGrayscale(x, 3), { atol: 2e-6, rtol: 1e-5 });
    const none = randomGrayscale(t, { seed: 1 }, { p: 0 });
    await expectBatchClose(none, x, { atol: 0, rtol: 0 });
    tf.dispose([t, all, none]);
  });
});
