import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends } from '@contrastive/test-utils';
import { widenIntoHeap } from './heap-pixels';
import { UNIT_OF_BYTE, createPixelStaging, widenPixels } from './host-pixels';
import { createInMemoryDataset, createLoader } from './index';

describe('widenPixels', () => {
  it('gives float32 x / 255 and int32 x', () => {
    const pixels = Uint8Array.from({ length: 256 }, (_, x) => x);
    const floats = widenPixels(pixels, new Float32Array(256));
    const ints = widenPixels(pixels, new Int32Array(256));
    for (let x = 0; x < 256; x++) {
      expect(floats[x]).toBe(Math.fround(x / 255));
      expect(ints[x]).toBe(x);
    }
  });

  it('reads four pixels at a time from aligned input and one at a time from the rest and from unaligned input', () => {
    const bytes = Uint8Array.from({ length: 1031 }, (_, i) => (i * 97 + 13) & 255);
    for (const offset of [0, 1, 2, 3, 4]) {
      for (const length of [0, 1, 3, 4, 7, 1024, 1027 - offset]) {
        const pixels = bytes.subarray(offset, offset + length);
        const out = widenPixels(pixels, new Float32Array(length));
        for (let i = 0; i < length; i++) expect(out[i]).toBe(Math.fround(pixels[i]! / 255));
      }
    }
  });

  it('staging reuses one array when asked and hands out fresh ones otherwise', () => {
    const staging = createPixelStaging();
    const a = staging.take('float32', 12, true);
    const b = staging.take('float32', 8, true);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(8);
    expect(staging.take('float32', 8, false).buffer).not.toBe(a.buffer);
    const c = staging.take('int32', 8, true);
    expect(c).toBeInstanceOf(Int32Array);
    expect(c.buffer).not.toBe(a.buffer);
    expect(staging.take('int32', 20, true).length).toBe(20);
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  it(`the table equals the backend's float32 division by 255 (${backend})`, async () => {
    const divided = tf.tidy(() => tf.div(tf.tensor1d(Float32Array.from({ length: 256 }, (_, x) => x)), 255));
    expect(Array.from(await divided.data())).toEqual(Array.from(UNIT_OF_BYTE));
    divided.dispose();
  });

  it(`widenIntoHeap writes x / 255 (float32) or x (int32) into a new tensor's memory on wasm, and nothing elsewhere (${backend})`, async () => {
    const pixels = Uint8Array.from({ length: 2 * 3 * 5 * 3 }, (_, i) => (i * 37) & 255);
    const before = tf.memory().numTensors;
    for (const dtype of ['float32', 'int32'] as const) {
      const t = widenIntoHeap(pixels, [2, 3, 5, 3], dtype);
      if (backend !== 'wasm') {
        expect(t).toBeUndefined();
        continue;
      }
      expect(t!.shape).toEqual([2, 3, 5, 3]);
      expect(t!.dtype).toBe(dtype);
      const want = Array.from(pixels, (x) => (dtype === 'float32' ? Math.fround(x / 255) : x));
      expect(Array.from(await t!.data())).toEqual(want);
      // The values survive later allocations (the heap may grow and move).
      const other = tf.zeros([1 << 20]);
      expect(Array.from(await t!.data())).toEqual(want);
      other.dispose();
      t!.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it(`each batch keeps its own pixels when the loader reuses its host array (${backend})`, async () => {
    // Image i is 2x2x1 filled with i; one image a batch, so every batch overwrites the staging array.
    const images = Uint8Array.from({ length: 6 * 4 }, (_, k) => Math.floor(k / 4) * 40);
    const dataset = createInMemoryDataset(images, new Int32Array(6), [2, 2, 1]);
    for (const dtype of ['float32', 'int32'] as const) {
      const held: { index: number; images: tf.Tensor }[] = [];
      for await (const b of createLoader(dataset, { batchSize: 1, seed: 1, dtype, upload: 'typed' }).epoch(0)) {
        held.push({ index: b.indices[0]!, images: b.images });
        b.labels.dispose();
      }
      for (const { index, images: t } of held) {
        const want = dtype === 'float32' ? Math.fround((index * 40) / 255) : index * 40;
        expect(Array.from(await t.data())).toEqual([want, want, want, want]);
        t.dispose();
      }
    }
  });
});
