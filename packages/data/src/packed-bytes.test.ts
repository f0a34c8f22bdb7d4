import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends } from '@contrastive/test-utils';
import { createInMemoryDataset, createLoader, packBytes, uploadPackedBytes } from './index';

/** Every byte value, at lengths that leave 0, 1 and 2 bytes in the last word. */
function bytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 97 + (i >> 8)) % 256);
}

it('packs three bytes per word, little-endian, zero-padded', () => {
  expect(Array.from(packBytes(Uint8Array.from([1, 2, 3, 255, 254, 253, 7])))).toEqual([1 + 2 * 256 + 3 * 65536, 255 + 254 * 256 + 253 * 65536, 7]);
  expect(packBytes(new Uint8Array(0)).length).toBe(0);
  expect(packBytes(new Uint8Array(5)).length).toBe(2);
});

describeBackends(['cpu', 'wasm', 'webgpu'], (backend) => {
  it('unpacks every byte value exactly on the device', async () => {
    for (const n of [1, 2, 3, 767, 768, 769, 3 * 4096 + 2]) {
      const source = bytes(n);
      const before = tf.memory().numTensors;
      const t = tf.tidy(() => uploadPackedBytes(source));
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(t.shape).toEqual([n]);
      expect(t.dtype).toBe('float32');
      expect(Array.from(await t.data())).toEqual(Array.from(source));
      t.dispose();
    }
  });

  it(`the loader's byte upload gives the same batches as the typed one`, async () => {
    const images = bytes(6 * 5 * 7 * 3);
    const dataset = createInMemoryDataset(images, Int32Array.from([0, 1, 2, 0, 1, 2]), [5, 7, 3]);
    for (const dtype of ['float32', 'int32'] as const) {
      const read = async (upload: 'bytes' | 'typed') => {
        const out: number[] = [];
        for await (const batch of createLoader(dataset, { batchSize: 4, seed: 3, dtype, upload }).epoch(0)) {
          expect(batch.images.dtype).toBe(dtype);
          out.push(...(await batch.images.data()));
          tf.dispose([batch.images, batch.labels]);
        }
        return out;
      };
      const typed = await read('typed');
      expect(await read('bytes')).toEqual(typed);
    }
    expect(backend).toBe(tf.getBackend());
  });
});
