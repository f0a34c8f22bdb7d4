import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '@contrastive/test-utils';
import { adaptivePoolWindows, createConvNet } from './conv-net';
import { createBackbone } from './create-backbone';

describe('conv-net poolGrid', () => {
  it('finds AdaptiveAvgPool2d windows of one size and stride', () => {
    expect(adaptivePoolWindows(7, 2)).toEqual({ pool: 4, stride: 3 }); // [0, 4), [3, 7)
    expect(adaptivePoolWindows(8, 2)).toEqual({ pool: 4, stride: 4 });
    expect(adaptivePoolWindows(7, 3)).toEqual({ pool: 3, stride: 2 }); // [0, 3), [2, 5), [4, 7)
    expect(adaptivePoolWindows(7, 7)).toEqual({ pool: 1, stride: 1 });
    expect(adaptivePoolWindows(7, 4)).toBeUndefined(); // [0, 2), [1, 4), [3, 6), [5, 7)
  });

  it('averages the last 7x7 map into 2x2 overlapping cells, as AdaptiveAvgPool2d(2)', async () => {
    await useBackend('cpu');
    const options = { inputShape: [28, 28, 1] as const, channels: [4, 8, 16], seed: 5 };
    const grid = createConvNet({ ...options, poolGrid: 2 });
    const full = createConvNet({ ...options, poolGrid: 7 }); // windows of 1: the whole 7x7 map, same weights
    expect(grid.featureDim).toBe(64);
    expect(full.featureDim).toBe(16 * 49);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const got = await (grid.model.predict(x) as tf.Tensor).data();
    const map = await (full.model.predict(x) as tf.Tensor).data(); // [3, 7 * 7 * 16], (y, x, c)
    for (let n = 0; n < 3; n++) {
      for (let gy = 0; gy < 2; gy++) {
        for (let gx = 0; gx < 2; gx++) {
          for (let c = 0; c < 16; c++) {
            let sum = 0;
            for (let y = 3 * gy; y < 3 * gy + 4; y++) for (let xx = 3 * gx; xx < 3 * gx + 4; xx++) sum += map[n * 784 + (y * 7 + xx) * 16 + c]!;
            expect(got[n * 64 + (gy * 2 + gx) * 16 + c]!).toBeCloseTo(sum / 16, 5);
          }
        }
      }
    }
    tf.dispose(x);
    grid.model.dispose();
    full.model.dispose();
  });

  it('createBackbone passes poolGrid to the conv-net and rejects grids without uniform windows', () => {
    const b = createBackbone('conv-net', { inputShape: [28, 28, 1], convChannels: [4, 8], poolGrid: 2 });
    expect(b.featureDim).toBe(32); // 14x14 map -> 2x2 cells of 7x7
    b.model.dispose();
    expect(() => createConvNet({ inputShape: [28, 28, 1], channels: [4, 8, 16], poolGrid: 4 })).toThrow(/poolGrid/);
  });
});
