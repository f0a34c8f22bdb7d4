import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESAMPLE_GRIDS_KERNEL, createRng } from '@contrastive/core';
import { describeBackends, expectNoLeak } from '@contrastive/test-utils';
import {
  batchToTensor,
  expectBatchClose,
  randomBatch,
  refCropParams,
  refResizedCrop,
  type ImageBatch,
} from '@contrastive/test-utils/reference/augment';
import { randomResizedCrop, resizedCrop, sampleResizedCropBox, type CropBox } from './index';

const TOL = { atol: 3e-6, rtol: 1e-5 };

/** Rows/columns of `x` away from the border by `margin`. */
function interior(x: ImageBatch, margin: number): ImageBatch {
  const h = x.h - 2 * margin;
  const w = x.w - 2 * margin;
  const data = new Float64Array(x.n * h * w * x.c);
  let k = 0;
  for (let b = 0; b < x.n; b++)
    for (let y = margin; y < x.h - margin; y++)
      for (let xx = margin; xx < x.w - margin; xx++)
        for (let c = 0; c < x.c; c++) data[k++] = x.data[((b * x.h + y) * x.w + xx) * x.c + c]!;
  return { n: x.n, h, w, c: x.c, data };
}

describe('sampleResizedCropBox (torchvision get_params)', () => {
  it('matches the reference draw for draw and respects scale and ratio', () => {
    const a = createRng(5);
    const b = createRng(5);
    for (let i = 0; i < 200; i++) {
      const box = sampleResizedCropBox(37, 53, a, { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] });
      expect(box).toEqual(refCropParams(37, 53, b, [0.08, 1], [3 / 4, 4 / 3]));
      expect(box.top + box.height).toBeLessThanOrEqual(37);
      expect(box.left + box.width).toBeLessThanOrEqual(53);
      const area = (box.height * box.width) / (37 * 53);
      expect(area).toBeGreaterThan(0.04);
      expect(area).toBeLessThanOrEqual(1);
    }
  });

  it('falls back to the largest centred crop within the ratio after 10 failed attempts', () => {
    // scale > 1 can never fit: fallback. A 10x40 image is wider than 4/3.
    expect(sampleResizedCropBox(10, 40, createRng(1), { scale: [2, 3], ratio: [3 / 4, 4 / 3] })).toEqual({
      top: 0,
      left: 13,
      height: 10,
      width: 13,
    });
    expect(sampleResizedCropBox(20, 20, createRng(1), { scale: [2, 3], ratio: [3 / 4, 4 / 3] })).toEqual({
      top: 0,
      left: 0,
      height: 20,
      width: 20,
    });
  });
});

/**
 * Runs the tests with the resample kernel (wasm, cpu) and without it (the
 * `cropAndResize` path that webgl and tensorflow take).
 */
function describeResamplePaths(body: () => void): void {
  for (const path of ['resample kernel', 'cropAndResize'] as const) {
    describe(path, () => {
      let removed: tf.KernelConfig | undefined;
      beforeAll(() => {
        if (path === 'resample kernel') return;
        removed = tf.getKernel(RESAMPLE_GRIDS_KERNEL, tf.getBackend());
        if (removed !== undefined) tf.unregisterKernel(RESAMPLE_GRIDS_KERNEL, tf.getBackend());
      });
      afterAll(() => {
        if (removed !== undefined) tf.registerKernel(removed);
      });
      it('uses the path it names', async () => {
        const t = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
        const profile = await tf.profile(() => resizedCrop(t, [{ top: 0, left: 0, height: 2, width: 2 }], { size: 3 }));
        const names = profile.kernels.map((k) => k.name);
        expect(names).toContain(path === 'resample kernel' ? RESAMPLE_GRIDS_KERNEL : 'CropAndResize');
        tf.dispose([t, profile.result as tf.Tensor]);
      });
      body();
    });
  }
}

describeBackends(['cpu', 'wasm'], () => describeResamplePaths(() => {
  const x = randomBatch(3, 4, 12, 10, 3);
  // Two shrinking crops, two enlarging ones (one touching the image corner).
  const boxes: CropBox[] = [
    { top: 0, left: 0, height: 12, width: 10 },
    { top: 1, left: 2, height: 9, width: 7 },
    { top: 0, left: 0, height: 3, width: 2 },
    { top: 4, left: 3, height: 5, width: 4 },
  ];

  it('shrinking crops equal torchvision resized_crop exactly', async () => {
    const t = batchToTensor(x);
    const out = expectNoLeak(() => resizedCrop(t, boxes.slice(0, 2).concat(boxes.slice(0, 2)), { size: [6, 5] }));
    await expectBatchClose(out, refResizedCrop(x, boxes.slice(0, 2).concat(boxes.slice(0, 2)), [6, 5]), TOL);
    tf.dispose([t, out]);
  });

  it('enlarging crops: image-clamped bilinear everywhere, torchvision inside the outer half pixel', async () => {
    const t = batchToTensor(x);
    const flip = [false, true, true, false];
    const out = resizedCrop(t, boxes, { size: 16, flip });
    await expectBatchClose(out, refResizedCrop(x, boxes, [16, 16], { flip, edge: 'image' }), TOL);
    // With 16 outputs from >= 2 pixels, at most 4 outer rows/columns sample
    // beyond the crop's outer pixel centres.
    const torch = refResizedCrop(x, boxes, [16, 16], { flip });
    const mine: ImageBatch = { n: 4, h: 16, w: 16, c: 3, data: Float64Array.from(await out.data()) };
    const a = interior(mine, 4);
    const e = interior(torch, 4);
    a.data.forEach((v, i) => expect(Math.abs(v - e.data[i]!)).toBeLessThan(1e-5));
    tf.dispose([t, out]);
  });

  it('randomResizedCrop: shape, range, determinism, flipP 1 mirrors the flipP 0 crop', async () => {
    const t = batchToTensor(x);
    const a = expectNoLeak(() => randomResizedCrop(t, { seed: 9 }, { size: 8 }));
    const b = randomResizedCrop(t, { seed: 9 }, { size: 8 });
    expect(a.shape).toEqual([4, 8, 8, 3]);
    expect(a.dtype).toBe('float32');
    expect(await a.data()).toEqual(await b.data());
    const values = await a.data();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const c = randomResizedCrop(t, { seed: 10 }, { size: 8 });
    expect(await c.data()).not.toEqual(await a.data());
    // flipP = 1 draws the same boxes (plus one flip draw each): compare via the reference.
    const rng = createRng(4);
    const flipped = randomResizedCrop(t, rng, { size: 8, flipP: 1, scale: [0.5, 1] });
    const r2 = createRng(4);
    const refBoxes = [0, 1, 2, 3].map(() => {
      const box = refCropParams(12, 10, r2, [0.5, 1], [3 / 4, 4 / 3]);
      r2.next();
      return box;
    });
    await expectBatchClose(flipped, refResizedCrop(x, refBoxes, [8, 8], { flip: [true, true, true, true], edge: 'image' }), TOL);
    tf.dispose([t, a, b, c, flipped]);
  });

  it('works on one-channel and 1-pixel-high images', async () => {
    const mono = randomBatch(4, 2, 1, 5, 1);
    const t = batchToTensor(mono);
    const out = resizedCrop(t, [{ top: 0, left: 1, height: 1, width: 3 }, { top: 0, left: 0, height: 1, width: 5 }], { size: [2, 6] });
    await expectBatchClose(
      out,
      refResizedCrop(mono, [{ top: 0, left: 1, height: 1, width: 3 }, { top: 0, left: 0, height: 1, width: 5 }], [2, 6], { edge: 'image' }),
      TOL,
    );
    tf.dispose([t, out]);
  });
}));

describe('crop errors', () => {
  it('rejects boxes outside the image and bad sizes', () => {
    const t = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => resizedCrop(t, [{ top: 2, left: 0, height: 3, width: 2 }], { size: 2 })).toThrow(
      expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'boxes' }),
    );
    expect(() => resizedCrop(t, [], { size: 2 })).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => randomResizedCrop(t, { seed: 1 }, { size: 0 })).toThrow(expect.objectContaining({ argument: 'size' }));
    expect(() => randomResizedCrop(t, { seed: 1 }, { size: 2, scale: [0.5, 0.1] })).toThrow(
      expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'scale' }),
    );
    expect(() => randomResizedCrop(t, 3 as never, { size: 2 })).toThrow(expect.objectContaining({ argument: 'random' }));
    t.dispose();
  });
});
